/**
 * The status-bar item's text and tooltip, computed from the client's state.
 *
 * Pure, no `vscode` import, so the wording is unit-tested: the item shows the engine, how many
 * sandbox layers are active, and a spinner while synthesis requests are in flight.
 */

/** What the server reported through `synthls.sandboxStatus`. */
export interface SandboxStatus {
  readonly engine: string;
  readonly layers: readonly string[];
  readonly platform: string;
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

/** Accept only a well-formed `synthls.sandboxStatus` result. */
export function parseSandboxStatus(value: unknown): SandboxStatus | undefined {
  if (typeof value !== 'object' || value === null) {
    return undefined;
  }
  const v = value as Record<string, unknown>;
  if (typeof v.engine !== 'string' || !Array.isArray(v.layers)) {
    return undefined;
  }
  const layers = v.layers.filter((l): l is string => typeof l === 'string');
  return { engine: v.engine, layers, platform: typeof v.platform === 'string' ? v.platform : 'unknown' };
}

function layerSummary(sandbox: SandboxStatus): string {
  const n = sandbox.layers.length;
  return n === 0 ? 'no sandbox layers' : n === 1 ? '1 sandbox layer' : `${n} sandbox layers`;
}

/** One-line description used by the "show sandbox status" command. */
export function describeSandbox(sandbox: SandboxStatus): string {
  const layers = sandbox.layers.length > 0 ? sandbox.layers.join(', ') : 'none';
  return `synthls: engine ${sandbox.engine}; sandbox layers: ${layers} (${sandbox.platform})`;
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
  const engine = state.sandbox ? state.sandbox.engine : '…';
  const icon = state.busy > 0 ? '$(sync~spin)' : '$(beaker)';
  const busy = state.busy > 0 ? ` · ${state.busy} running` : '';
  const text = `${icon} synthls: ${engine}${busy}`;
  const details = state.sandbox
    ? `Engine: ${state.sandbox.engine}\nSandbox (${state.sandbox.platform}): ${layerSummary(state.sandbox)}` +
      (state.sandbox.layers.length > 0 ? ` — ${state.sandbox.layers.join(', ')}` : '')
    : 'Sandbox status not known yet.';
  return { text, tooltip: `${details}\n${state.busy > 0 ? `${state.busy} request(s) in flight` : 'Idle'}` };
}
