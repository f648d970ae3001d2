/**
 * How the extension starts synthls: the command line built from the user's settings, and the
 * spawn of the server process that speaks LSP over its stdio.
 *
 * The extension hands `spawnServer` to vscode-languageclient as its server options, and the
 * launch test calls the very same function, so what the test proves is what users run. This
 * module does not import `vscode`.
 */

import { spawn, type ChildProcess } from 'node:child_process';

/** The client-side settings that decide how the server is started. */
export interface LaunchSettings {
  /** Full command line, e.g. `["synthls"]` or `["/venv/bin/python", "-m", "synthls"]`; wins when non-empty. */
  readonly command: readonly string[];
  /** Python interpreter that has synthls installed; used as `python -m synthls` when set. */
  readonly pythonPath: string;
  /** Extra arguments appended to the command. */
  readonly args: readonly string[];
  /** Extra environment variables for the server process. */
  readonly env: Readonly<Record<string, string>>;
}

export const DEFAULT_LAUNCH: LaunchSettings = { command: [], pythonPath: '', args: [], env: {} };

export interface ServerCommand {
  readonly command: string;
  readonly args: string[];
}

function strings(value: unknown): string[] {
  if (typeof value === 'string') {
    return value.trim() === '' ? [] : [value];
  }
  return Array.isArray(value) ? value.filter((v): v is string => typeof v === 'string' && v !== '') : [];
}

/** Launch settings from raw values (as read from `synthls.server.*`), ignoring ill-typed ones. */
export function launchSettings(get: (key: string) => unknown): LaunchSettings {
  const env: Record<string, string> = {};
  const rawEnv = get('server.env');
  if (typeof rawEnv === 'object' && rawEnv !== null) {
    for (const [k, v] of Object.entries(rawEnv)) {
      if (typeof v === 'string') {
        env[k] = v;
      }
    }
  }
  const pythonPath = get('server.pythonPath');
  return {
    command: strings(get('server.command')),
    pythonPath: typeof pythonPath === 'string' ? pythonPath.trim() : '',
    args: strings(get('server.args')),
    env,
  };
}

/**
 * The server command line: `server.command` if given, else `<pythonPath> -m synthls`,
 * else the `synthls` console script from PATH; `server.args` are appended.
 */
export function serverCommand(settings: LaunchSettings): ServerCommand {
  let argv: string[];
  if (settings.command.length > 0) {
    argv = [...settings.command];
  } else if (settings.pythonPath !== '') {
    argv = [settings.pythonPath, '-m', 'synthls'];
  } else {
    argv = ['synthls'];
  }
  return { command: argv[0], args: [...argv.slice(1), ...settings.args] };
}

/** A one-line rendering of a command line for logs and error messages. */
export function describeCommand(cmd: ServerCommand): string {
  return [cmd.command, ...cmd.args].map((a) => (/[\s"']/.test(a) ? JSON.stringify(a) : a)).join(' ');
}

export interface SpawnOptions {
  readonly cwd?: string;
  /** Base environment; defaults to this process's. */
  readonly baseEnv?: NodeJS.ProcessEnv;
}

/** Why the server could not start, phrased for the user. */
export function startFailure(cmd: ServerCommand, error: NodeJS.ErrnoException): Error {
  const line = describeCommand(cmd);
  if (error.code === 'ENOENT') {
    return new Error(
      `synthls could not start: '${cmd.command}' was not found. Install synthls (pip install synthls) ` +
        `or set 'synthls.server.pythonPath' / 'synthls.server.command'. Command: ${line}`,
    );
  }
  return new Error(`synthls could not start (${error.code ?? error.message}). Command: ${line}`);
}

/**
 * Start the server with piped stdio; resolves once the process is running, rejects with a
 * user-facing error if it cannot be started at all.
 */
export function spawnServer(settings: LaunchSettings, options: SpawnOptions = {}): Promise<ChildProcess> {
  const cmd = serverCommand(settings);
  const env = { ...(options.baseEnv ?? process.env), ...settings.env };
  return new Promise((resolve, reject) => {
    const child = spawn(cmd.command, cmd.args, { cwd: options.cwd, env, stdio: ['pipe', 'pipe', 'pipe'] });
    child.once('error', (error: NodeJS.ErrnoException) => reject(startFailure(cmd, error)));
    child.once('spawn', () => resolve(child));
  });
}
