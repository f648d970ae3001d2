/** Commands: params sent to the server and the commands package.json contributes. */

import { test } from 'node:test';
import * as assert from 'node:assert/strict';

import { EDITOR_COMMANDS, executeParams, resultMessage } from '../src/commands';
import { readJson } from './paths';

const byId = (id: string) => {
  const cmd = EDITOR_COMMANDS.find((c) => c.id === id);
  assert.ok(cmd, id);
  return cmd;
};
const at = { uri: 'file:///w/a.py', line: 4 };

test('cursor commands send [uri, line] to the matching server command', () => {
  assert.deepEqual(executeParams(byId('synthls.synthesizeAtCursor'), at), { command: 'synthls.synthesize', arguments: ['file:///w/a.py', 4] });
  assert.deepEqual(executeParams(byId('synthls.regenerateAtCursor'), at), { command: 'synthls.regenerate', arguments: ['file:///w/a.py', 4] });
  assert.deepEqual(executeParams(byId('synthls.generateFromCommentAtCursor'), at), { command: 'synthls.generateFromComment', arguments: ['file:///w/a.py', 4] });
});

test('check file sends [uri]; sandbox status sends no arguments', () => {
  assert.deepEqual(executeParams(byId('synthls.checkCurrentFile'), at), { command: 'synthls.checkFile', arguments: ['file:///w/a.py'] });
  assert.deepEqual(executeParams(byId('synthls.showSandboxStatus'), undefined), { command: 'synthls.sandboxStatus', arguments: [] });
});

test('editor commands without a Python editor produce no request', () => {
  assert.equal(executeParams(byId('synthls.synthesizeAtCursor'), undefined), undefined);
  assert.equal(executeParams(byId('synthls.checkCurrentFile'), undefined), undefined);
  assert.equal(executeParams(byId('synthls.restartServer'), at), undefined);
});

test('client command ids never reuse the server command ids', () => {
  const serverIds = new Set(EDITOR_COMMANDS.map((c) => c.server).filter((s) => s !== undefined));
  for (const cmd of EDITOR_COMMANDS) {
    assert.ok(!serverIds.has(cmd.id), `${cmd.id} would clash with the languageclient's registration`);
  }
});

test('package.json contributes exactly the commands the extension registers', () => {
  const contributed = (readJson('package.json').contributes.commands as { command: string; title: string }[]);
  assert.deepEqual(
    contributed.map((c) => [c.command, c.title]),
    EDITOR_COMMANDS.map((c) => [c.id, c.title]),
  );
});

test('the extension activates on Python and its entry point is the bundle', () => {
  const pkg = readJson('package.json');
  assert.deepEqual(pkg.activationEvents, ['onLanguage:python']);
  assert.equal(pkg.main, './dist/extension.js');
});

test('result messages come from strings or message/summary/reason fields only', () => {
  assert.equal(resultMessage('2 functions checked'), '2 functions checked');
  assert.equal(resultMessage({ summary: 'all 3 examples pass' }), 'all 3 examples pass');
  assert.equal(resultMessage({ applied: true }), undefined);
  assert.equal(resultMessage(null), undefined);
  assert.equal(resultMessage('  '), undefined);
});
