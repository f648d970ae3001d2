"""Run untrusted candidate code against examples in an isolated child process."""
