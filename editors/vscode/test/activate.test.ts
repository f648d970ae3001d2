/**
 * The bundled extension (`dist/extension.js`, what the .vsix ships) activated against a fake
 * `vscode` module: the real vscode-languageclient inside it starts the real synthls, the
 * status bar reports the engine, settings changes reach the server, and a failed start is
 * reported. Needs `npm run bundle` first (the `build` script does it) and SYNTHLS_PYTHON.
 */

import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';

import { EDITOR_COMMANDS } from '../src/commands';
import { applyEdits, createFakeVscode, installFakeVscode, pythonDocument, type FakeVscode } from './fake-vscode';
import { EXTENSION_ROOT } from './paths';

const python = process.env.SYNTHLS_PYTHON ?? 'python3';
// auto keeps to the embedded search here even where the local model is installed (as in tests/conftest.py)
const fake: FakeVscode = createFakeVscode({ 'server.pythonPath': python, 'server.env': { SYNTHLS_NO_LOCAL_MODEL: '1' } });
installFakeVscode(fake);
const extension = require(path.join(EXTENSION_ROOT, 'dist', 'extension.js')) as {
  activate(context: unknown): Promise<void>;
  deactivate(): Promise<void>;
};

const STUB = ['def add(a, b):', '    """Return the sum of a and b.', '', '    >>> add(1, 2)', '    3', '    >>> add(-4, 10)', '    6', '    >>> add(-3, -4)', '    -7', '    """', ''].join('\n');
const stubPath = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'synthls-vscode-')), 'stub_add.py');
const stub = pythonDocument(stubPath, STUB);
fake.documents.push(stub);

function doctest(file: string): string {
  return execFileSync(python, ['-m', 'doctest', '-v', file], { encoding: 'utf8' });
}

async function until(what: string, predicate: () => boolean, timeoutMs = 60_000): Promise<void> {
  const start = Date.now();
  while (!predicate()) {
    if (Date.now() - start > timeoutMs) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

test('activation starts the server, registers commands and shows the engine', { timeout: 180_000 }, async (t) => {
  await extension.activate(fake.context);
  t.after(() => extension.deactivate());
  assert.equal(fake.statusItem.text, '$(beaker) synthls: embedded', fake.log.join('\n'));
  assert.match(fake.statusItem.tooltip, /sandbox layer/);
  assert.match(fake.statusItem.tooltip, /^Engine: auto → embedded \(\$SYNTHLS_NO_LOCAL_MODEL is set\)$/m);
  assert.match(fake.statusItem.tooltip, /^Local model \S+: (not installed|stopped|starting|ready)/m);
  for (const cmd of EDITOR_COMMANDS) {
    assert.ok(fake.commands.has(cmd.id), `${cmd.id} not registered`);
  }
  // vscode-languageclient registers the server's own commands from executeCommandProvider
  assert.ok(fake.commands.has('synthls.synthesize'), [...fake.commands.keys()].join(', '));
  assert.ok(fake.commands.has('synthls.answer'), 'the question lenses\' command');

  fake.settings.engine = 'all';
  fake.changeConfiguration(['synthls', 'synthls.engine']);
  await until('the new engine in the status bar', () => fake.statusItem.text === '$(beaker) synthls: all');

  await fake.commands.get('synthls.showSandboxStatus')!();
  assert.ok(fake.messages.some((m) => m.level === 'info' && m.text.startsWith('synthls: engine all (set in the settings); sandbox layers: ')), JSON.stringify(fake.messages));

  await fake.commands.get('synthls.synthesizeAtCursor')!();
  assert.ok(fake.messages.some((m) => m.level === 'warning' && /open a Python file/.test(m.text)), JSON.stringify(fake.messages));
  assert.equal(fake.applied.length, 0);

  fake.setActiveEditor(stub, 0);
  // Should the examples leave several behaviours, the server asks; answer as `a + b` would.
  fake.answer = (text, items) => {
    const args = /`add\((-?\d+), (-?\d+)\)`/.exec(text);
    return args ? items.find((i) => i.title === String(Number(args[1]) + Number(args[2]))) : undefined;
  };
  const refreshes = () => fake.log.filter((line) => line.startsWith('debug: status: ')).length;
  const before = refreshes();
  await fake.commands.get('synthls.synthesizeAtCursor')!();
  assert.equal(fake.applied.length, 1, JSON.stringify(fake.messages));
  // the status is asked again when a request ends (it may have started the local model)
  await until('a status refresh after the request', () => refreshes() > before);
  assert.equal(fake.statusItem.text, '$(beaker) synthls: all');
  const edits = fake.applied[0].changes.get(stub.uri.toString());
  assert.ok(edits && edits.length > 0, 'the edit is not for the open document');
  fs.writeFileSync(stubPath, applyEdits(STUB, edits));
  assert.match(doctest(stubPath), /[34] passed and 0 failed\./);
  fake.setActiveEditor(undefined);

  await extension.deactivate();
  assert.equal(fake.statusItem.text, '$(circle-slash) synthls');
  for (const d of fake.context.subscriptions.splice(0)) d.dispose(); // as VS Code does after deactivate
});

test('a server that cannot start is reported in the status bar and a message', { timeout: 60_000 }, async () => {
  fake.settings['server.command'] = ['/nonexistent/synthls'];
  fake.messages.length = 0;
  await extension.activate({ subscriptions: [] });
  assert.equal(fake.statusItem.text, '$(error) synthls');
  assert.match(fake.statusItem.tooltip, /'\/nonexistent\/synthls' was not found/);
  assert.ok(fake.messages.some((m) => m.level === 'error' && /was not found/.test(m.text)), JSON.stringify(fake.messages));
  await extension.deactivate();
});
