-- synthls.actions: run synthls code actions and commands from Neovim with standard LSP only.
--
-- The server's actions are lazy: an action may arrive with `data` only (filled by
-- `codeAction/resolve`) or with a `command` the server executes before it sends
-- `workspace/applyEdit`. This module handles both shapes, asynchronously, so a synthesis that
-- takes seconds never blocks the editor.

local compat = require("synthls.compat")

local M = {}

M.NAME = "synthls"

--- Titles of the server's code actions (the contract with the server).
M.TITLES = {
  synthesize = "Synthesize body from docstring",
  regenerate = "Regenerate body to satisfy examples",
  from_comment = "Generate code from comment",
}

local function report(err, _)
  if err then
    local msg = type(err) == "table" and (err.message or vim.inspect(err)) or tostring(err)
    vim.notify("synthls: " .. msg, vim.log.levels.WARN)
  end
end

--- The synthls client attached to `bufnr`, or nil.
function M.client_for(bufnr)
  return compat.get_clients(M.NAME, bufnr)[1]
end

--- Ask the server to run `command` (a Command table); `done(err, result)`.
--- An ambiguous result inserted nothing: its question waits in code lenses above the function
--- (run them with `vim.lsp.codelens.run()`), so they are fetched right away.
function M.execute(client, command, bufnr, done)
  local params = { command = command.command, arguments = command.arguments }
  compat.request(client, "workspace/executeCommand", params, function(err, result)
    if type(result) == "table" and result.status == "ambiguous" then
      compat.refresh_codelens(bufnr)
    end
    done(err, result)
  end, bufnr)
end

--- Apply an action in LSP order: its edit first, then its command.
function M.apply(client, action, bufnr, done)
  if action.edit then
    vim.lsp.util.apply_workspace_edit(action.edit, client.offset_encoding or "utf-16")
  end
  local command = action.command
  if type(command) == "string" then -- a bare Command rather than a CodeAction
    command = action
  end
  if type(command) == "table" and command.command then
    return M.execute(client, command, bufnr, done)
  end
  done(nil, { applied = action.edit ~= nil })
end

--- Resolve `action` when it carries neither an edit nor a command, then apply it.
function M.run_action(client, action, bufnr, done)
  if action.edit ~= nil or action.command ~= nil then
    return M.apply(client, action, bufnr, done)
  end
  local provider = compat.server_capabilities(client).codeActionProvider
  if type(provider) ~= "table" or not provider.resolveProvider then
    return done("the action has no edit or command and the server cannot resolve it")
  end
  compat.request(client, "codeAction/resolve", action, function(err, resolved)
    if err then
      return done(err)
    end
    if not resolved or (resolved.edit == nil and resolved.command == nil) then
      -- nothing to apply: the server said why in a message, or asks its question in code lenses
      compat.refresh_codelens(bufnr)
      return done(nil, { applied = false })
    end
    M.apply(client, resolved, bufnr, done)
  end, bufnr)
end

local function matching(actions, title)
  local out = {}
  for _, action in ipairs(actions or {}) do
    -- the server may qualify a title, e.g. "Synthesize body from docstring (unverified)"
    if title == nil or action.title == title or vim.startswith(action.title, title .. " ") then
      table.insert(out, action)
    end
  end
  return out
end

--- Code action params for 0-based `line` of `bufnr` (an empty range at the line start).
function M.params(bufnr, line, only)
  local pos = { line = line, character = 0 }
  return {
    textDocument = { uri = vim.uri_from_bufnr(bufnr) },
    range = { start = pos, ["end"] = pos },
    context = { diagnostics = compat.line_diagnostics(bufnr, line, M.NAME), only = only },
  }
end

--- Request synthls code actions at a line and run one.
--- opts: bufnr, line (0-based; default cursor line), title (exact; nil offers a choice),
--- only (CodeActionKind list), on_done(err, result) (default: warn on error).
function M.code_action(opts)
  opts = opts or {}
  local bufnr = opts.bufnr or vim.api.nvim_get_current_buf()
  local done = opts.on_done or report
  local client = M.client_for(bufnr)
  if not client then
    return done("no synthls client is attached to this buffer")
  end
  local line = opts.line or (vim.api.nvim_win_get_cursor(0)[1] - 1)
  local params = M.params(bufnr, line, opts.only)
  compat.request(client, "textDocument/codeAction", params, function(err, actions)
    if err then
      return done(err)
    end
    local found = matching(actions, opts.title)
    if #found == 0 then
      return done("no code action " .. (opts.title and ('"' .. opts.title .. '" ') or "") .. "here")
    end
    if #found == 1 then
      return M.run_action(client, found[1], bufnr, done)
    end
    vim.ui.select(found, {
      prompt = "synthls:",
      format_item = function(a)
        return a.title
      end,
    }, function(choice)
      if choice then
        return M.run_action(client, choice, bufnr, done)
      end
      done("cancelled")
    end)
  end, bufnr)
end

--- One line describing the server's `synthls.sandboxStatus` result.
function M.format_status(status)
  if type(status) ~= "table" then
    return "synthls: no sandbox status"
  end
  local layers = status.layers or {}
  local shown = #layers > 0 and table.concat(layers, ", ") or "none"
  return string.format(
    "synthls: engine %s, sandbox layers: %s (%s)",
    tostring(status.engine or "?"),
    shown,
    tostring(status.platform or "?")
  )
end

--- Run a server command by name with `arguments`; `done(err, result)`.
function M.command(name, arguments, opts)
  opts = opts or {}
  local bufnr = opts.bufnr or vim.api.nvim_get_current_buf()
  local done = opts.on_done or report
  local client = M.client_for(bufnr)
  if not client then
    return done("no synthls client is attached to this buffer")
  end
  M.execute(client, { command = name, arguments = arguments }, bufnr, done)
end

return M
