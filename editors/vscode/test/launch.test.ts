/**
 * Launch: the command line built from settings, and a real synthls started through the same
 * `spawnServer` the extension hands to vscode-languageclient, completing an LSP handshake.
 *
 * The interpreter with synthls installed comes from SYNTHLS_PYTHON (default `python3`).
 */

import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import type { ChildProcess } from 'node:child_process';
import {
  ExecuteCommandRequest,
  ExitNotification,
  InitializeRequest,
  InitializedNotification,
  ShutdownRequest,
  StreamMessageReader,
  StreamMessageWriter,
  createProtocolConnection,
  type InitializeResult,
} from 'vscode-languageserver-protocol/node';

import { DEFAULT_LAUNCH, describeCommand, launchSettings, serverCommand, spawnServer } from '../src/launch';
import { serverSettingsTree } from '../src/settings';
import { MODEL_STATES, parseSandboxStatus } from '../src/status';

const HANDSHAKE_TIMEOUT_MS = 120_000;

test('the default command is the synthls console script', () => {
  assert.deepEqual(serverCommand(DEFAULT_LAUNCH), { command: 'synthls', args: [] });
});

test('a Python interpreter runs the module', () => {
  assert.deepEqual(serverCommand({ ...DEFAULT_LAUNCH, pythonPath: '/v/bin/python' }), { command: '/v/bin/python', args: ['-m', 'synthls'] });
});

test('an explicit command wins over the interpreter and args are appended', () => {
  const cmd = serverCommand({ ...DEFAULT_LAUNCH, command: ['/opt/synthls', 'serve'], pythonPath: '/v/bin/python', args: ['--x'] });
  assert.deepEqual(cmd, { command: '/opt/synthls', args: ['serve', '--x'] });
});

test('settings are read leniently: a string command, blanks and ill-typed values', () => {
  const raw: Record<string, unknown> = {
    'server.command': '/usr/local/bin/synthls',
    'server.pythonPath': '  ',
    'server.args': ['', '--a', 3],
    'server.env': { OPENAI_BASE_URL: 'http://127.0.0.1:8000/v1', BAD: 1 },
  };
  const launch = launchSettings((key) => raw[key]);
  assert.deepEqual(launch, { command: ['/usr/local/bin/synthls'], pythonPath: '', args: ['--a'], env: { OPENAI_BASE_URL: 'http://127.0.0.1:8000/v1' } });
  assert.deepEqual(launchSettings(() => undefined), DEFAULT_LAUNCH);
});

test('command lines with spaces are quoted in logs', () => {
  assert.equal(describeCommand({ command: '/my venv/python', args: ['-m', 'synthls'] }), '"/my venv/python" -m synthls');
});

test('a missing executable is a clear error naming the settings to fix', async () => {
  const launch = { ...DEFAULT_LAUNCH, command: ['/nonexistent/synthls-binary'] };
  await assert.rejects(spawnServer(launch), (error: Error) => {
    assert.match(error.message, /'\/nonexistent\/synthls-binary' was not found/);
    assert.match(error.message, /synthls\.server\.pythonPath/);
    return true;
  });
});

function exited(child: ChildProcess): Promise<number | null> {
  return new Promise((resolve) => {
    if (child.exitCode !== null) {
      resolve(child.exitCode);
    } else {
      child.once('exit', (code) => resolve(code));
    }
  });
}

/** Rejects when the server dies, so a crash fails the test with its stderr instead of hanging. */
function diesEarly(child: ChildProcess, stderr: () => string): Promise<never> {
  return new Promise((_, reject) => {
    child.once('exit', (code) => reject(new Error(`server exited with ${code} during the handshake:\n${stderr().slice(-3000)}`)));
  });
}

test('the real server starts through spawnServer and completes the LSP handshake', { timeout: HANDSHAKE_TIMEOUT_MS }, async () => {
  const python = process.env.SYNTHLS_PYTHON ?? 'python3';
  const launch = launchSettings((key) => (key === 'server.pythonPath' ? python : undefined));
  const child = await spawnServer(launch);
  let stderr = '';
  child.stderr?.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const connection = createProtocolConnection(new StreamMessageReader(child.stdout!), new StreamMessageWriter(child.stdin!));
  connection.listen();
  const died = diesEarly(child, () => stderr);
  died.catch(() => undefined);
  try {
    const result: InitializeResult = await Promise.race([
      died,
      connection.sendRequest(InitializeRequest.type, {
        processId: process.pid,
        rootUri: null,
        capabilities: { workspace: { applyEdit: true, workspaceEdit: { documentChanges: true } } },
        initializationOptions: serverSettingsTree(() => undefined),
      }),
    ]);
    assert.equal(result.serverInfo?.name, 'synthls');
    assert.ok(result.capabilities.codeActionProvider, 'no codeActionProvider');
    const commands = result.capabilities.executeCommandProvider?.commands ?? [];
    for (const name of ['synthls.synthesize', 'synthls.regenerate', 'synthls.checkFile', 'synthls.sandboxStatus']) {
      assert.ok(commands.includes(name), `server does not offer ${name}: ${commands.join(', ')}`);
    }
    await connection.sendNotification(InitializedNotification.type, {});
    const status = (await Promise.race([
      died,
      connection.sendRequest(ExecuteCommandRequest.type, { command: 'synthls.sandboxStatus', arguments: [] }),
    ])) as Record<string, unknown>;
    assert.equal(status.engine, 'auto');
    assert.ok(Array.isArray(status.layers), JSON.stringify(status));
    // what the status item shows: the engine auto picks now and the local model's state
    const parsed = parseSandboxStatus(status);
    assert.ok(parsed && ['embedded', 'openai', 'local'].includes(parsed.engineInUse ?? ''), JSON.stringify(status));
    assert.ok(parsed.why, JSON.stringify(status));
    assert.ok(parsed.model && MODEL_STATES.includes(parsed.model.state), JSON.stringify(status));
    await connection.sendRequest(ShutdownRequest.type);
    await connection.sendNotification(ExitNotification.type);
    assert.equal(await exited(child), 0, stderr.slice(-2000));
  } finally {
    connection.dispose();
    if (child.exitCode === null) {
      child.kill();
    }
  }
});
