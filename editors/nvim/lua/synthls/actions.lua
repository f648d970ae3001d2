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

--- Requests in flight that a synthesis may wait on (a resolve, a command): key -> {client, id, done}.
M.pending = {}

--- Send `method` and remember it until it answers, so `M.cancel()` can cancel it; `done(err, result)`
--- runs once, with the answer or with "cancelled".
local function send(client, method, params, bufnr, done)
  local key
  local ok, id = compat.request(client, method, params, function(err, result)
    if key and M.pending[key] == nil then
      return -- cancelled: its done already ran
    end
    if key then
      M.pending[key] = nil
    end
    done(err, result)
  end, bufnr)
  if ok and id then
    key = client.id .. ":" .. tostring(id)
    M.pending[key] = { client = client, id = id, done = done }
  elseif not ok then
    done("the request could not be sent (is the server running?)")
  end
end

--- Cancel every synthls request in flight (`$/cancelRequest`; the server stops the job, and a
--- local model still loading for it keeps loading for the next request). Returns how many.
function M.cancel()
  local n = 0
  for key, request in pairs(M.pending) do
    M.pending[key] = nil
    pcall(compat.cancel_request, request.client, request.id)
    n = n + 1
    request.done("cancelled")
  end
  return n
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
  send(client, "workspace/executeCommand", params, bufnr, function(err, result)
    if type(result) == "table" and result.status == "ambiguous" then
      compat.refresh_codelens(bufnr)
    end
    done(err, result)
  end)
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
  send(client, "codeAction/resolve", action, bufnr, function(err, resolved)
    if err then
      return done(err)
    end
    if not resolved or (resolved.edit == nil and resolved.command == nil) then
      -- nothing to apply: the server said why in a message, or asks its question in code lenses
      compat.refresh_codelens(bufnr)
      return done(nil, { applied = false })
    end
    M.apply(client, resolved, bufnr, done)
  end)
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
  local layers = type(status.layers) == "table" and status.layers or {}
  local shown = #layers > 0 and table.concat(layers, ", ") or "none"
  local engine = tostring(status.engine or "?")
  local in_use = type(status.engineInUse) == "string" and status.engineInUse or nil
  if in_use then -- the engine a request would use now (auto resolved), and why
    engine = in_use ~= status.engine and (engine .. " -> " .. in_use) or engine
    engine = type(status.why) == "string" and (engine .. " (" .. status.why .. ")") or engine
  end
  local model = type(status.model) == "table" and status.model or {}
  local state = type(model.state) == "string" and (", local model: " .. model.state) or ""
  return string.format(
    "synthls: engine %s, sandbox layers: %s (%s)%s",
    engine,
    shown,
    tostring(status.platform or "?"),
    state
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
