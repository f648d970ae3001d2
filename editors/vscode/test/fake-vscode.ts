/**
 * A stand-in for the `vscode` module, enough to run the bundled extension (and the real
 * vscode-languageclient inside it) under node: explicit, recording objects for what the tests
 * look at (configuration, commands, status bar, messages, output channel) and an inert,
 * chainable stub for every other API the client touches.
 */

import Module = require('node:module');

type Listener = (event: unknown) => unknown;

/** Anything: property reads, calls and `new` all return another inert stub; never thenable. */
export function inert(): any {
  const target = function () {} as unknown as Record<PropertyKey, unknown>;
  const children = new Map<PropertyKey, unknown>();
  return new Proxy(target, {
    get(_t, prop) {
      if (prop === 'then') return undefined;
      if (prop === Symbol.iterator) return function* () {};
      if (prop === Symbol.toPrimitive) return () => '';
      if (prop === 'dispose') return () => undefined;
      if (!children.has(prop)) children.set(prop, inert());
      return children.get(prop);
    },
    set(_t, prop, value) {
      children.set(prop, value);
      return true;
    },
    apply: () => inert(),
    construct: () => inert(),
  });
}

function withFallback<T extends object>(explicit: T): T {
  return new Proxy(explicit, {
    get(t, prop, receiver) {
      if (prop in t) return Reflect.get(t, prop, receiver);
      if (prop === 'then') return undefined;
      const stub = inert();
      (t as Record<PropertyKey, unknown>)[prop] = stub;
      return stub;
    },
  });
}

export class Position {
  constructor(readonly line: number, readonly character: number) {}
}

export class Range {
  readonly start: Position;
  readonly end: Position;
  constructor(a: number | Position, b: number | Position, c?: number, d?: number) {
    this.start = typeof a === 'number' ? new Position(a, b as number) : a;
    this.end = typeof a === 'number' ? new Position(c as number, d as number) : (b as Position);
  }
}

export class TextEdit {
  constructor(readonly range: Range, readonly newText: string) {}
}

export class Uri {
  private constructor(private readonly value: string) {}
  static parse(value: string): Uri {
    return new Uri(value);
  }
  static file(path: string): Uri {
    return new Uri(`file://${path}`);
  }
  get scheme(): string {
    return this.value.split(':')[0];
  }
  get fsPath(): string {
    return decodeURIComponent(this.value.replace(/^file:\/\//, ''));
  }
  toString(): string {
    return this.value;
  }
}

/** Records `set(uri, edits)` as the client's protocol converter builds it. */
export class WorkspaceEdit {
  readonly changes = new Map<string, TextEdit[]>();
  set(uri: Uri, edits: (TextEdit | [TextEdit, unknown])[]): void {
    this.changes.set(uri.toString(), edits.map((e) => (Array.isArray(e) ? e[0] : e)));
  }
}

/** A Python document as the fake workspace holds it. */
export interface FakeDocument {
  uri: Uri;
  fileName: string;
  languageId: string;
  version: number;
  isClosed: boolean;
  getText(): string;
}

export function pythonDocument(path: string, text: string): FakeDocument {
  return { uri: Uri.file(path), fileName: path, languageId: 'python', version: 1, isClosed: false, getText: () => text };
}

/** `text` with `edits` applied (LSP positions; edits do not overlap). */
export function applyEdits(text: string, edits: readonly TextEdit[]): string {
  const lines = text.split('\n');
  const offset = (p: Position) => lines.slice(0, p.line).reduce((n, l) => n + l.length + 1, 0) + p.character;
  const sorted = [...edits].sort((x, y) => offset(y.range.start) - offset(x.range.start));
  let out = text;
  for (const e of sorted) {
    out = out.slice(0, offset(e.range.start)) + e.newText + out.slice(offset(e.range.end));
  }
  return out;
}

export interface FakeVscode {
  readonly module: any;
  readonly settings: Record<string, unknown>;
  readonly commands: Map<string, (...args: unknown[]) => unknown>;
  readonly statusItem: { text: string; tooltip: string; command?: string };
  readonly messages: { level: string; text: string; items?: string[] }[];
  readonly log: string[];
  /** Picks the button of a message that has some (`window/showMessageRequest`); default: none. */
  answer: (text: string, items: { title: string }[]) => { title: string } | undefined;
  readonly context: { subscriptions: { dispose(): unknown }[] };
  /** Documents open in the fake workspace (didOpen is sent for them when the client starts). */
  readonly documents: FakeDocument[];
  /** Edits the server asked the client to apply (`workspace/applyEdit`). */
  readonly applied: WorkspaceEdit[];
  /** Make `doc` the active editor with the cursor on `line` (undefined: no editor). */
  setActiveEditor(doc: FakeDocument | undefined, line?: number): void;
  /** Tell the extension that these setting sections changed. */
  changeConfiguration(sections: string[]): void;
}

export function createFakeVscode(settings: Record<string, unknown>): FakeVscode {
  const documents: FakeDocument[] = [];
  const applied: WorkspaceEdit[] = [];
  const commands = new Map<string, (...args: unknown[]) => unknown>();
  const configListeners: Listener[] = [];
  const messages: { level: string; text: string; items?: string[] }[] = [];
  const log: string[] = [];
  const statusItem = withFallback({ text: '', tooltip: '', command: undefined as string | undefined, show() {}, hide() {}, dispose() {} });
  const disposable = () => ({ dispose: () => undefined });
  const event = () => () => disposable();
  const record = (level: string) => (text: string, ...items: { title: string }[]) => {
    if (items.length === 0) {
      messages.push({ level, text });
      return Promise.resolve(undefined);
    }
    messages.push({ level, text, items: items.map((i) => i.title) });
    return Promise.resolve(fake.answer(text, items));
  };
  const output = withFallback({
    name: 'synthls',
    logLevel: 2,
    onDidChangeLogLevel: event(),
    ...Object.fromEntries(['trace', 'debug', 'info', 'warn', 'error', 'append', 'appendLine', 'replace'].map((k) => [k, (line: string) => void log.push(`${k}: ${line}`)])),
    clear() {},
    show() {},
    hide() {},
    dispose() {},
  });
  const configuration = (section?: string) =>
    withFallback({
      get: (key: string, fallback?: unknown) => {
        const full = section && section !== 'synthls' ? `${section.replace(/^synthls\./, '')}.${key}` : key;
        return full in settings ? settings[full] : fallback;
      },
      has: (key: string) => key in settings,
      inspect: () => undefined,
      update: () => Promise.resolve(),
    });
  const module = withFallback({
    version: '1.100.0',
    Position,
    Range,
    TextEdit,
    Uri,
    WorkspaceEdit,
    env: withFallback({ appName: 'fake-vscode', language: 'en', machineId: 'test', sessionId: 'test', uriScheme: 'vscode' }),
    StatusBarAlignment: { Left: 1, Right: 2 },
    window: withFallback({
      createOutputChannel: () => output,
      createStatusBarItem: () => statusItem,
      showInformationMessage: record('info'),
      showWarningMessage: record('warning'),
      showErrorMessage: record('error'),
      activeTextEditor: undefined as unknown,
      visibleTextEditors: [],
      tabGroups: withFallback({ all: [] }),
    }),
    workspace: withFallback({
      getConfiguration: configuration,
      onDidChangeConfiguration: (listener: Listener) => {
        configListeners.push(listener);
        return disposable();
      },
      workspaceFolders: undefined,
      textDocuments: documents,
      applyEdit: (edit: WorkspaceEdit) => {
        applied.push(edit);
        return Promise.resolve(true);
      },
      notebookDocuments: [],
    }),
    commands: withFallback({
      registerCommand: (id: string, fn: (...args: unknown[]) => unknown) => {
        if (commands.has(id)) throw new Error(`command '${id}' already exists`);
        commands.set(id, fn);
        return { dispose: () => commands.delete(id) };
      },
      executeCommand: (id: string, ...args: unknown[]) => Promise.resolve(commands.get(id)?.(...args)),
    }),
    languages: withFallback({ match: (_selector: unknown, doc: FakeDocument) => (doc?.languageId === 'python' ? 10 : 0) }),
  });
  const fake: FakeVscode = {
    answer: () => undefined,
    module,
    settings,
    commands,
    statusItem,
    messages,
    log,
    context: { subscriptions: [] },
    documents,
    applied,
    setActiveEditor(doc: FakeDocument | undefined, line = 0) {
      module.window.activeTextEditor = doc && { document: doc, selection: { active: new Position(line, 0) } };
    },
    changeConfiguration(sections: string[]) {
      const event = { affectsConfiguration: (s: string) => sections.includes(s) };
      for (const listener of configListeners) listener(event);
    },
  };
  return fake;
}

/** Make `require('vscode')` return `fake.module` from now on in this process. */
export function installFakeVscode(fake: FakeVscode): void {
  const mod = Module as unknown as { _load: (request: string, ...rest: unknown[]) => unknown };
  const original = mod._load;
  mod._load = function (request: string, ...rest: unknown[]) {
    return request === 'vscode' ? fake.module : original.call(this, request, ...rest);
  };
}
