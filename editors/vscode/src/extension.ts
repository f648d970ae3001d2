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
import { describeSandbox, parseSandboxStatus, statusView, type StatusState } from './status';

const SECTION = 'synthls';

let client: LanguageClient | undefined;
let output: vscode.LogOutputChannel;
let statusItem: vscode.StatusBarItem;
let state: StatusState = { server: 'stopped', busy: 0 };

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

async function track<T>(work: () => Promise<T>): Promise<T> {
  setState({ busy: state.busy + 1 });
  try {
    return await work();
  } finally {
    setState({ busy: Math.max(0, state.busy - 1) });
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

async function refreshSandboxStatus(): Promise<void> {
  if (!client || client.state !== State.Running) {
    return;
  }
  try {
    const result: unknown = await client.sendRequest(ExecuteCommandRequest.type, { command: 'synthls.sandboxStatus', arguments: [] });
    setState({ sandbox: parseSandboxStatus(result) });
  } catch (error) {
    output.warn(`synthls.sandboxStatus failed: ${String(error)}`);
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
    const result: unknown = await track(() => c.sendRequest(ExecuteCommandRequest.type, params));
    const sandbox = cmd.server === 'synthls.sandboxStatus' ? parseSandboxStatus(result) : undefined;
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
