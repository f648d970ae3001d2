"""A local language model for synthls: its weights, and one llama.cpp server per user shared by
every editor window and CLI run (``synthls model path | serve | status | stop``)."""
