/**
 * An ambiguous result in VS Code. The bundled extension (the real vscode-languageclient inside
 * it) runs the real synthls against a scripted OpenAI-compatible server (tests/fake_openai.py,
 * started with SYNTHLS_PYTHON) whose three bodies all pass the stub's two examples but differ
 * elsewhere, so the server asks `window/showMessageRequest`. The client shows it as a message
 * with buttons; the test clicks the first answer of each question (the split, then the
 * confirmation that follows it), and the one applied edit must hold both answers as new doctest
 * examples plus a body that passes all four. The lens fallback's command
 * (`synthls.answer`) must be registered from the server's executeCommandProvider.
 */

import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import { execFileSync, spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import * as readline from 'node:readline';

import { applyEdits, createFakeVscode, installFakeVscode, pythonDocument, type FakeVscode } from './fake-vscode';
import { EXTENSION_ROOT } from './paths';

const python = process.env.SYNTHLS_PYTHON ?? 'python3';
const REPO = path.resolve(EXTENSION_ROOT, '..', '..');
const FAKE_OPENAI = [
  'import sys',
  'sys.path.insert(0, sys.argv[1])',
  'import itertools',
  'from tests.fake_openai import FakeOpenAI, PerN, after_a_wrong_greedy_answer, fenced',
  'BODIES = ("return a / b if b else 0.0", "return a - b - 1.0", "return a / b / (b - 2) if b else 0.0")',
  '# round 1 is one greedy answer: a wrong one, so the disagreeing samples come in the feedback round',
  'served = itertools.count()',
  'with FakeOpenAI(after_a_wrong_greedy_answer([PerN(lambda i: fenced(BODIES[next(served) % 3]))])) as server:',
  '    print(server.url, flush=True)',
  '    sys.stdin.read()',
].join('\n');

const fake: FakeVscode = createFakeVscode({ 'server.pythonPath': python });
installFakeVscode(fake);
const extension = require(path.join(EXTENSION_ROOT, 'dist', 'extension.js')) as {
  activate(context: unknown): Promise<void>;
  deactivate(): Promise<void>;
};

const STUB = [
  'def safe_div(a: float, b: float) -> float:',
  '    """a divided by b, or 0.0 when b is zero.',
  '',
  '    >>> safe_div(6, 3)',
  '    2.0',
  '    >>> safe_div(1, 0)',
  '    0.0',
  '    """',
  '',
].join('\n');
const stubPath = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'synthls-vscode-ask-')), 'safe_div.py');
const stub = pythonDocument(stubPath, STUB);
fake.documents.push(stub);

async function startFakeOpenAI(): Promise<{ url: string; stop(): void }> {
  const child = spawn(python, ['-c', FAKE_OPENAI, REPO], { stdio: ['pipe', 'pipe', 'inherit'] });
  const lines = readline.createInterface({ input: child.stdout });
  const url = await new Promise<string>((resolve, reject) => {
    lines.once('line', resolve);
    child.once('exit', (code) => reject(new Error(`the fake OpenAI server exited with ${code}`)));
  });
  return { url, stop: () => child.stdin.end() };
}

test('the question is a message with buttons; the answer becomes an example in the edit', { timeout: 180_000 }, async (t) => {
  const server = await startFakeOpenAI();
  t.after(() => server.stop());
  Object.assign(fake.settings, {
    'server.env': { OPENAI_API_KEY: 'k' },
    engine: 'openai',
    rounds: 2,
    'openai.baseUrl': server.url,
    'openai.candidates': 4,
  });
  const asked: string[] = [];
  fake.answer = (text, items) => {
    asked.push(text);
    return items[0];
  };
  await extension.activate(fake.context);
  t.after(() => extension.deactivate());
  assert.ok(fake.commands.has('synthls.answer'), [...fake.commands.keys()].join(', '));

  fake.setActiveEditor(stub, 0);
  await fake.commands.get('synthls.synthesizeAtCursor')!();
  // the answer rules two behaviours out; one predicted answer could be luck, so the survivor's
  // answer on another input is offered for confirmation
  assert.equal(asked.length, 2, JSON.stringify(fake.messages));
  const [question, confirming] = fake.messages.filter((m) => m.items !== undefined);
  const call = question.text.split('`')[1];
  assert.equal(question.text, `What should \`${call}\` return? (3 behaviours pass the examples)`);
  assert.equal(question.items!.length, 5);
  assert.equal(question.items![3], 'Not a valid input');
  assert.equal(question.items![4], 'None of these');
  const confirmed = confirming.text.split('`')[1];
  assert.equal(
    confirming.text,
    `What should \`${confirmed}\` return? (one behaviour passes the examples: confirm its answer)`,
  );
  assert.equal(confirming.items!.length, 3);

  assert.equal(fake.applied.length, 1, JSON.stringify(fake.messages));
  const edits = fake.applied[0].changes.get(stub.uri.toString());
  assert.ok(edits && edits.length === 2, 'the body and the docstring in one edit');
  const text = applyEdits(STUB, edits);
  assert.ok(text.includes(`    >>> ${call}\n    ${question.items![0]}\n`), text);
  assert.ok(text.includes(`    >>> ${confirmed}\n    ${confirming.items![0]}\n`), text);
  fs.writeFileSync(stubPath, text);
  assert.match(execFileSync(python, ['-m', 'doctest', '-v', stubPath], { encoding: 'utf8' }), /4 passed and 0 failed\./);
});
