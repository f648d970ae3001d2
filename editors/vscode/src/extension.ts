/**
 * VS Code entry point: starts synthls through vscode-languageclient and wires the commands,
 * the status-bar item and the server log's output channel.
 *
 * Everything with logic (command line, settings tree, command params, status wording) lives in
 * vscode-free modules that are unit-tested; this file only connects them to the VS Code API.
 */

import * as vscode from 'vscode';
import {
  DidChangeConfigurationNotification,
  ExecuteCommandRequest,
  LanguageClient,
  State,
  type LanguageClientOptions,
  type ServerOptions,
} from 'vscode-languageclient/node';

import { EDITOR_COMMANDS, executeParams, resultMessage, type EditorCommand } from './commands';
import { describeCommand, launchSettings, serverCommand, spawnServer } from './launch';
import { didChangeConfigurationParams, serverSettingsTree, type SettingGetter } from './settings';
import { describeSandbox, parseSandboxStatus, refreshDelay, statusView, type StatusState } from './status';

const SECTION = 'synthls';

let client: LanguageClient | undefined;
let output: vscode.LogOutputChannel;
let statusItem: vscode.StatusBarItem;
let state: StatusState = { server: 'stopped', busy: 0 };
/** The next status refresh (see scheduleRefresh); undefined while the server is not running. */
let refreshTimer: ReturnType<typeof setTimeout> | undefined;
let refreshDue = 0;
/** A status request in flight, and whether another was asked for meanwhile. */
let refreshing: Promise<void> | undefined;
let refreshAgain = false;

function settingGetter(): SettingGetter {
  const config = vscode.workspace.getConfiguration(SECTION);
  return (key) => config.get(key);
}

function setState(change: Partial<StatusState>): void {
  state = { ...state, ...change };
  const view = statusView(state);
  statusItem.text = view.text;
  statusItem.tooltip = view.tooltip;
}

/**
 * Count `work` as a request in flight; when it ends, ask for the status again (the request may
 * have started the local model, or picked another engine) unless `work` was that status request.
 */
async function track<T>(work: () => Promise<T>, refreshAfter = true): Promise<T> {
  setState({ busy: state.busy + 1 });
  scheduleRefresh();
  try {
    return await work();
  } finally {
    setState({ busy: Math.max(0, state.busy - 1) });
    if (refreshAfter) {
      void refreshSandboxStatus();
    }
  }
}

function clientOptions(get: SettingGetter): LanguageClientOptions {
  return {
    documentSelector: [
      { scheme: 'file', language: 'python' },
      { scheme: 'untitled', language: 'python' },
    ],
    outputChannel: output,
    initializationOptions: serverSettingsTree(get),
    middleware: {
      resolveCodeAction: (item, token, next) => track(async () => next(item, token)),
      executeCommand: (command, args, next) => track(async () => next(command, args)),
    },
  };
}

/**
 * Ask the server for the engine in use, the local model's state and the sandbox layers, and show
 * them. Never blocks: one request at a time (a call meanwhile asks once more after it), and the
 * next periodic refresh is scheduled from the answer (sooner while the model starts).
 */
function refreshSandboxStatus(): Promise<void> {
  if (refreshing) {
    refreshAgain = true;
    return refreshing;
  }
  refreshing = (async () => {
    do {
      refreshAgain = false;
      const c = client;
      if (!c || c.state !== State.Running) {
        break;
      }
      try {
        const result: unknown = await c.sendRequest(ExecuteCommandRequest.type, { command: 'synthls.sandboxStatus', arguments: [] });
        if (c === client) {
          const sandbox = parseSandboxStatus(result);
          setState({ sandbox });
          output.debug(`status: ${sandbox ? describeSandbox(sandbox) : 'not understood'}`);
        }
      } catch (error) {
        output.warn(`synthls.sandboxStatus failed: ${String(error)}`);
      }
    } while (refreshAgain);
  })().finally(() => {
    refreshing = undefined;
    scheduleRefresh();
  });
  return refreshing;
}

/**
 * Arm the periodic refresh while the server runs, so "starting" becomes "ready" and "ready"
 * "stopped" after the model's idle time; an armed refresh that comes sooner is kept.
 */
function scheduleRefresh(): void {
  if (!client || state.server !== 'running') {
    cancelRefresh();
    return;
  }
  const due = Date.now() + refreshDelay(state);
  if (refreshTimer && refreshDue <= due) {
    return;
  }
  cancelRefresh();
  refreshDue = due;
  refreshTimer = setTimeout(() => {
    refreshTimer = undefined;
    void refreshSandboxStatus();
  }, due - Date.now());
  refreshTimer.unref?.();
}

function cancelRefresh(): void {
  if (refreshTimer) {
    clearTimeout(refreshTimer);
    refreshTimer = undefined;
  }
}

async function startClient(): Promise<void> {
  const get = settingGetter();
  const launch = launchSettings(get);
  const cwd = vscode.workspace.workspaceFolders?.[0]?.uri.fsPath;
  output.info(`starting ${describeCommand(serverCommand(launch))}`);
  const serverOptions: ServerOptions = () => spawnServer(launch, { cwd });
  client = new LanguageClient(SECTION, 'synthls', serverOptions, clientOptions(get));
  setState({ server: 'starting', error: undefined });
  try {
    await client.start();
    setState({ server: 'running' });
    await refreshSandboxStatus();
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    setState({ server: 'failed', error: message });
    output.error(message);
    void vscode.window.showErrorMessage(message, 'Show Log').then((pick) => pick && output.show());
  }
}

async function stopClient(): Promise<void> {
  const old = client;
  client = undefined;
  cancelRefresh();
  if (old) {
    await old.stop().catch((error: unknown) => output.warn(`stopping synthls: ${String(error)}`));
  }
  setState({ server: 'stopped', sandbox: undefined });
}

async function runServerCommand(cmd: EditorCommand): Promise<void> {
  const editor = vscode.window.activeTextEditor;
  const c = client;
  const at = editor && c && editor.document.languageId === 'python'
    ? { uri: c.code2ProtocolConverter.asUri(editor.document.uri), line: editor.selection.active.line }
    : undefined;
  const params = executeParams(cmd, at);
  if (!c || c.state !== State.Running) {
    void vscode.window.showWarningMessage('synthls is not running (see the synthls output).');
    return;
  }
  if (!params) {
    void vscode.window.showWarningMessage(`${cmd.title}: open a Python file first.`);
    return;
  }
  try {
    const status = cmd.server === 'synthls.sandboxStatus';
    const result: unknown = await track(() => c.sendRequest(ExecuteCommandRequest.type, params), !status);
    const sandbox = status ? parseSandboxStatus(result) : undefined;
    if (sandbox) {
      setState({ sandbox });
    }
    const message = sandbox ? describeSandbox(sandbox) : resultMessage(result);
    if (message) {
      void vscode.window.showInformationMessage(message);
    }
  } catch (error) {
    void vscode.window.showErrorMessage(`${cmd.title}: ${error instanceof Error ? error.message : String(error)}`);
  }
}

function commandHandler(cmd: EditorCommand): () => Promise<void> {
  if (cmd.id === 'synthls.restartServer') {
    return async () => {
      await stopClient();
      await startClient();
    };
  }
  if (cmd.id === 'synthls.showOutput') {
    return async () => output.show();
  }
  return () => runServerCommand(cmd);
}

async function onConfigurationChanged(event: vscode.ConfigurationChangeEvent): Promise<void> {
  if (event.affectsConfiguration(`${SECTION}.server`)) {
    await stopClient();
    await startClient();
  } else if (event.affectsConfiguration(SECTION) && client?.state === State.Running) {
    await client.sendNotification(DidChangeConfigurationNotification.type, didChangeConfigurationParams(settingGetter()));
    await refreshSandboxStatus();
  }
}

export async function activate(context: vscode.ExtensionContext): Promise<void> {
  output = vscode.window.createOutputChannel('synthls', { log: true });
  statusItem = vscode.window.createStatusBarItem(vscode.StatusBarAlignment.Right, 100);
  statusItem.command = 'synthls.showSandboxStatus';
  statusItem.show();
  context.subscriptions.push(output, statusItem);
  for (const cmd of EDITOR_COMMANDS) {
    context.subscriptions.push(vscode.commands.registerCommand(cmd.id, commandHandler(cmd)));
  }
  context.subscriptions.push(vscode.workspace.onDidChangeConfiguration((e) => void onConfigurationChanged(e)));
  await startClient();
}

export async function deactivate(): Promise<void> {
  await stopClient();
}
