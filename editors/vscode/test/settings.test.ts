/** Settings: the tree sent to the server, and package.json / README.md kept in step with it. */

import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';

import { SERVER_SETTINGS, didChangeConfigurationParams, serverSettingsTree, setPath } from '../src/settings';
import { EXTENSION_ROOT, readJson } from './paths';

const none = (): undefined => undefined;

test('defaults form the nested tree the server reads', () => {
  const tree = serverSettingsTree(none) as Record<string, any>;
  assert.equal(tree.engine, 'auto');
  assert.equal(tree.rounds, 3);
  assert.equal(tree.deadline, 300);
  assert.equal(tree.logLevel, 'info');
  assert.deepEqual(tree.embedded, { budget: 2.0 });
  assert.equal(tree.openai.baseUrl, null);
  assert.equal(tree.openai.model, 'gpt-4o-mini');
  assert.equal(tree.openai.mode, 'auto');
  assert.equal(tree.openai.apiKeyEnv, 'OPENAI_API_KEY');
  assert.deepEqual(tree.sandbox, { timeout: 5.0, memoryMb: 1024, parallel: 0 });
  assert.deepEqual(tree.diagnostics, { enabled: true, onChange: true, debounceMs: 500, maxFunctions: 50 });
  assert.deepEqual(tree.completion, { enabled: true, budget: 1.0 });
  assert.deepEqual(tree.ask, { maxQuestions: 3, edgeCases: true, readDocstring: false, ambiguous: 'ask' });
  assert.deepEqual(tree.model, { path: '', idleMinutes: 10, threads: 0 });
  assert.equal(tree.insertFitting, false);
  assert.deepEqual(Object.keys(tree).sort(), ['ask', 'completion', 'deadline', 'diagnostics', 'embedded', 'engine', 'insertFitting', 'logLevel', 'model', 'openai', 'rounds', 'sandbox']);
});

test('user values replace defaults and an empty base URL means "not set"', () => {
  const values: Record<string, unknown> = { engine: 'openai', 'openai.baseUrl': '', 'openai.model': 'qwen', 'sandbox.parallel': 2, 'model.path': '/m/q.gguf', 'model.idleMinutes': 2.5, insertFitting: true };
  const tree = serverSettingsTree((key) => values[key]) as Record<string, any>;
  assert.equal(tree.engine, 'openai');
  assert.deepEqual(tree.model, { path: '/m/q.gguf', idleMinutes: 2.5, threads: 0 });
  assert.equal(tree.insertFitting, true);
  assert.equal(tree.openai.baseUrl, null);
  assert.equal(tree.openai.model, 'qwen');
  assert.equal(tree.openai.candidates, 5);
  assert.equal(tree.sandbox.parallel, 2);
});

test('didChangeConfiguration wraps the tree in a synthls section', () => {
  const params = didChangeConfigurationParams((key) => (key === 'rounds' ? 7 : undefined));
  assert.deepEqual(Object.keys(params.settings), ['synthls']);
  assert.equal((params.settings.synthls as Record<string, unknown>).rounds, 7);
});

test('setPath creates intermediate objects and replaces non-objects', () => {
  const tree: Record<string, unknown> = { a: 1 };
  setPath(tree, 'a.b.c', true);
  setPath(tree, 'a.b.d', 2);
  assert.deepEqual(tree, { a: { b: { c: true, d: 2 } } });
});

test('package.json contributes every server setting with its default and description', () => {
  const props = readJson('package.json').contributes.configuration.properties as Record<string, any>;
  for (const setting of SERVER_SETTINGS) {
    const prop = props[`synthls.${setting.key}`];
    assert.ok(prop, `synthls.${setting.key} is not contributed`);
    assert.deepEqual(prop.default, setting.default, setting.key);
    assert.equal(prop.description, setting.description, setting.key);
    assert.deepEqual(prop.enum, setting.enum ? [...setting.enum] : undefined, setting.key);
  }
  const known = new Set(SERVER_SETTINGS.map((s) => `synthls.${s.key}`));
  const extra = Object.keys(props).filter((k) => !known.has(k) && !k.startsWith('synthls.server.') && k !== 'synthls.trace.server');
  assert.deepEqual(extra, []);
});

test('README.md documents every server setting with its default', () => {
  const setup = fs.readFileSync(path.join(EXTENSION_ROOT, '..', '..', 'README.md'), 'utf8');
  for (const setting of SERVER_SETTINGS) {
    const row = setup.split('\n').find((line) => line.startsWith(`| \`${setting.key}\` |`));
    assert.ok(row, `no README.md row for ${setting.key}`);
    assert.ok(row.includes(`\`${JSON.stringify(setting.default)}\``), `README.md default of ${setting.key}: ${row}`);
  }
});
