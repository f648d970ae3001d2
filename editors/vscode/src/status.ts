/**
 * The status-bar item's text and tooltip, computed from the client's state.
 *
 * Pure, no `vscode` import, so the wording is unit-tested: the item shows the engine a request
 * would use now (with the local model's state when that is the local model), how many sandbox
 * layers are active, and a spinner while synthesis requests are in flight.
 */

/** The local model's state as `synthls.sandboxStatus` reports it. */
export const MODEL_STATES = ['not installed', 'stopped', 'starting', 'ready'] as const;
export type ModelState = (typeof MODEL_STATES)[number];

export interface ModelStatus {
  readonly name: string;
  readonly state: ModelState;
  readonly detail: string;
}

/** What the server reported through `synthls.sandboxStatus`. */
export interface SandboxStatus {
  /** The `engine` setting (`auto`, `embedded`, ...). */
  readonly engine: string;
  readonly layers: readonly string[];
  readonly platform: string;
  /** The engine a request would use now (`auto` resolved); absent from older servers. */
  readonly engineInUse?: string;
  /** Why that engine, in one sentence. */
  readonly why?: string;
  readonly model?: ModelStatus;
}

export type ServerState = 'starting' | 'running' | 'stopped' | 'failed';

export interface StatusState {
  readonly server: ServerState;
  readonly sandbox?: SandboxStatus;
  /** Requests in flight (synthesis, checks). */
  readonly busy: number;
  /** Last start failure, if any. */
  readonly error?: string;
}

export interface StatusView {
  readonly text: string;
  readonly tooltip: string;
}

function nonEmptyString(value: unknown): string | undefined {
  return typeof value === 'string' && value.trim() !== '' ? value : undefined;
}

/** The `model` field, or undefined when it is not an object with a known state. */
function parseModel(value: unknown): ModelStatus | undefined {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    return undefined;
  }
  const v = value as Record<string, unknown>;
  const state = MODEL_STATES.find((s) => s === v.state);
  if (!state) {
    return undefined;
  }
  return { name: nonEmptyString(v.name) ?? 'local model', state, detail: nonEmptyString(v.detail) ?? '' };
}

/** Accept only a well-formed `synthls.sandboxStatus` result; malformed optional fields are dropped. */
export function parseSandboxStatus(value: unknown): SandboxStatus | undefined {
  if (typeof value !== 'object' || value === null) {
    return undefined;
  }
  const v = value as Record<string, unknown>;
  if (typeof v.engine !== 'string' || !Array.isArray(v.layers)) {
    return undefined;
  }
  const layers = v.layers.filter((l): l is string => typeof l === 'string');
  const status: { -readonly [K in keyof SandboxStatus]: SandboxStatus[K] } = {
    engine: v.engine,
    layers,
    platform: typeof v.platform === 'string' ? v.platform : 'unknown',
  };
  const inUse = nonEmptyString(v.engineInUse);
  if (inUse) {
    status.engineInUse = inUse;
    const why = nonEmptyString(v.why);
    if (why) {
      status.why = why;
    }
  }
  const model = parseModel(v.model);
  if (model) {
    status.model = model;
  }
  return status;
}

function layerSummary(sandbox: SandboxStatus): string {
  const n = sandbox.layers.length;
  return n === 0 ? 'no sandbox layers' : n === 1 ? '1 sandbox layer' : `${n} sandbox layers`;
}

/** The engine a request would use now: `local (ready)`, `embedded`, ... (the setting on older servers). */
export function engineLabel(sandbox: SandboxStatus): string {
  const engine = sandbox.engineInUse ?? sandbox.engine;
  return engine === 'local' && sandbox.model ? `local (${sandbox.model.state})` : engine;
}

/** `auto → local (why)`, `embedded (set in the settings)`, or just the setting. */
function engineSentence(sandbox: SandboxStatus): string {
  const inUse = sandbox.engineInUse;
  const chosen = inUse && inUse !== sandbox.engine ? `${sandbox.engine} → ${inUse}` : sandbox.engine;
  return sandbox.why ? `${chosen} (${sandbox.why})` : chosen;
}

/** `Qwen…: ready (stops after 540 s more without a request)`. */
function modelSentence(model: ModelStatus): string {
  return `${model.name}: ${model.state}${model.detail ? ` (${model.detail})` : ''}`;
}

/** One-line description used by the "show sandbox status" command. */
export function describeSandbox(sandbox: SandboxStatus): string {
  const layers = sandbox.layers.length > 0 ? sandbox.layers.join(', ') : 'none';
  const model = sandbox.model ? `; local model ${modelSentence(sandbox.model)}` : '';
  return `synthls: engine ${engineSentence(sandbox)}; sandbox layers: ${layers} (${sandbox.platform})${model}`;
}

export function statusView(state: StatusState): StatusView {
  if (state.server === 'failed') {
    return { text: '$(error) synthls', tooltip: `synthls is not running: ${state.error ?? 'unknown error'}. Click for the log.` };
  }
  if (state.server === 'stopped') {
    return { text: '$(circle-slash) synthls', tooltip: 'synthls is stopped.' };
  }
  if (state.server === 'starting') {
    return { text: '$(loading~spin) synthls', tooltip: 'synthls is starting.' };
  }
  const engine = state.sandbox ? engineLabel(state.sandbox) : '…';
  const icon = state.busy > 0 ? '$(sync~spin)' : '$(beaker)';
  const busy = state.busy > 0 ? ` · ${state.busy} running` : '';
  const text = `${icon} synthls: ${engine}${busy}`;
  const lines: string[] = [];
  if (state.sandbox) {
    lines.push(`Engine: ${engineSentence(state.sandbox)}`);
    if (state.sandbox.model) {
      lines.push(`Local model ${modelSentence(state.sandbox.model)}`);
    }
    lines.push(
      `Sandbox (${state.sandbox.platform}): ${layerSummary(state.sandbox)}` +
        (state.sandbox.layers.length > 0 ? ` — ${state.sandbox.layers.join(', ')}` : ''),
    );
  } else {
    lines.push('Sandbox status not known yet.');
  }
  lines.push(state.busy > 0 ? `${state.busy} request(s) in flight` : 'Idle');
  return { text, tooltip: lines.join('\n') };
}

/** Milliseconds until the status is asked again while the server runs. */
export const REFRESH_IDLE_MS = 30_000;
/** ... while requests run or the local model loads, so "starting" soon turns into "ready". */
export const REFRESH_BUSY_MS = 5_000;

/**
 * When to ask for the status next: soon while requests run or the model starts (its state
 * changes within seconds), else every 30 s (a ready model stops after its idle time).
 */
export function refreshDelay(state: StatusState): number {
  return state.busy > 0 || state.sandbox?.model?.state === 'starting' ? REFRESH_BUSY_MS : REFRESH_IDLE_MS;
}
