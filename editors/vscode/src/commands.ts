/**
 * The extension's commands and the server commands they run over `workspace/executeCommand`.
 *
 * VS Code command ids differ from the server's (`synthls.synthesize` ...) on purpose:
 * vscode-languageclient registers the server's own command ids itself, so reusing them would
 * clash. Pure data and param builders, no `vscode` import, so they are unit-tested.
 */

export type ArgumentShape = 'uriLine' | 'uri' | 'none';

export interface EditorCommand {
  /** VS Code command id contributed in package.json. */
  readonly id: string;
  readonly title: string;
  /** Server command run through `workspace/executeCommand`, if any. */
  readonly server?: string;
  readonly args: ArgumentShape;
}

export const EDITOR_COMMANDS: readonly EditorCommand[] = [
  { id: 'synthls.synthesizeAtCursor', title: 'Synthesize Body at Cursor', server: 'synthls.synthesize', args: 'uriLine' },
  { id: 'synthls.regenerateAtCursor', title: 'Regenerate Body at Cursor', server: 'synthls.regenerate', args: 'uriLine' },
  { id: 'synthls.generateFromCommentAtCursor', title: 'Generate Code from Comment at Cursor', server: 'synthls.generateFromComment', args: 'uriLine' },
  { id: 'synthls.checkCurrentFile', title: 'Check File Against Its Examples', server: 'synthls.checkFile', args: 'uri' },
  { id: 'synthls.showSandboxStatus', title: 'Show Sandbox Status', server: 'synthls.sandboxStatus', args: 'none' },
  { id: 'synthls.restartServer', title: 'Restart Server', args: 'none' },
  { id: 'synthls.showOutput', title: 'Show Server Log', args: 'none' },
];

export interface ExecuteCommandParams {
  command: string;
  arguments: unknown[];
}

/** Where the command was invoked: the document URI (LSP form) and the 0-based cursor line. */
export interface CursorContext {
  readonly uri: string;
  readonly line: number;
}

/** The `workspace/executeCommand` params for `cmd`, or undefined when it needs a Python editor and has none. */
export function executeParams(cmd: EditorCommand, at: CursorContext | undefined): ExecuteCommandParams | undefined {
  if (cmd.server === undefined) {
    return undefined;
  }
  switch (cmd.args) {
    case 'uriLine':
      return at ? { command: cmd.server, arguments: [at.uri, at.line] } : undefined;
    case 'uri':
      return at ? { command: cmd.server, arguments: [at.uri] } : undefined;
    case 'none':
      return { command: cmd.server, arguments: [] };
  }
}

/** A short message for a command's result when the server returned one worth showing. */
export function resultMessage(result: unknown): string | undefined {
  if (typeof result === 'string' && result.trim() !== '') {
    return result;
  }
  if (typeof result === 'object' && result !== null) {
    const r = result as Record<string, unknown>;
    for (const key of ['message', 'summary', 'reason']) {
      if (typeof r[key] === 'string' && (r[key] as string).trim() !== '') {
        return r[key] as string;
      }
    }
  }
  return undefined;
}
