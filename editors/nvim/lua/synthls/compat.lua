-- synthls.compat: the few Neovim LSP APIs that changed between 0.7 and current releases.
--
-- Everything version-dependent lives here so the rest of the plugin reads the same on
-- Neovim 0.7 (vim.lsp.start_client) and 0.11+ (vim.lsp.config / vim.lsp.enable, method calls
-- on client objects).

local M = {}

local uv = vim.uv or vim.loop

--- True when this Neovim has the 0.11+ `vim.lsp.config` / `vim.lsp.enable` API.
function M.has_lsp_config()
  return type(vim.lsp.config) == "table" and type(vim.lsp.enable) == "function"
end

--- True when client methods must be called with `:` (0.11+ deprecates `client.request(...)`).
local function method_style()
  return vim.fn.has("nvim-0.11") == 1
end

--- Clients named `name` attached to `bufnr` (any buffer when nil).
function M.get_clients(name, bufnr)
  local found = {}
  if vim.lsp.get_clients then -- 0.10+
    found = vim.lsp.get_clients({ name = name, bufnr = bufnr })
  elseif bufnr then -- 0.7 .. 0.9
    for _, client in pairs(vim.lsp.buf_get_clients(bufnr)) do
      if client.name == name then
        table.insert(found, client)
      end
    end
  else
    for _, client in pairs(vim.lsp.get_active_clients()) do
      if client.name == name then
        table.insert(found, client)
      end
    end
  end
  return found
end

--- Send a request from `client`; `handler(err, result)`.
function M.request(client, method, params, handler, bufnr)
  local function on_result(err, result)
    handler(err, result)
  end
  if method_style() then
    return client:request(method, params, on_result, bufnr)
  end
  return client.request(method, params, on_result, bufnr)
end

--- Cancel request `id` of `client` (sends `$/cancelRequest`).
function M.cancel_request(client, id)
  if method_style() then
    return client:cancel_request(id)
  end
  return client.cancel_request(id)
end

--- Send a request from `client` and wait at most `timeout_ms` for its answer (for
--- `:checkhealth`, which is synchronous anyway). Returns `result, nil` or `nil, message`.
function M.request_sync(client, method, params, timeout_ms, bufnr)
  local response, err
  if method_style() then
    response, err = client:request_sync(method, params, timeout_ms, bufnr)
  else
    response, err = client.request_sync(method, params, timeout_ms, bufnr)
  end
  if not response then
    return nil, err == "timeout" and ("no answer within " .. timeout_ms .. " ms") or tostring(err or "no answer")
  end
  if response.err then
    local e = response.err
    return nil, type(e) == "table" and tostring(e.message or vim.inspect(e)) or tostring(e)
  end
  return response.result, nil
end

--- Send a notification from `client`.
function M.notify(client, method, params)
  if method_style() then
    return client:notify(method, params)
  end
  return client.notify(method, params)
end

--- The server's capabilities table (camelCase, as the server sent it).
function M.server_capabilities(client)
  return client.server_capabilities or {}
end

--- Nearest ancestor directory of `path` holding one of `markers`; else the file's directory.
function M.find_root(path, markers)
  local dir = vim.fn.fnamemodify(path, ":p:h")
  local current = dir
  while current and current ~= "" do
    for _, marker in ipairs(markers) do
      if uv.fs_stat(current .. "/" .. marker) then
        return current
      end
    end
    local parent = vim.fn.fnamemodify(current, ":h")
    if parent == current then
      break
    end
    current = parent
  end
  return dir
end

--- Start (or reuse) a client for `config` and attach it to `bufnr`, on any supported version.
function M.start(config, bufnr)
  if vim.lsp.start then -- 0.8+: reuses a client with the same name and root_dir
    return vim.lsp.start(config, { bufnr = bufnr })
  end
  for _, client in pairs(vim.lsp.get_active_clients()) do
    if client.name == config.name and client.config.root_dir == config.root_dir then
      vim.lsp.buf_attach_client(bufnr, client.id)
      return client.id
    end
  end
  local id = vim.lsp.start_client(config)
  if id then
    vim.lsp.buf_attach_client(bufnr, id)
  end
  return id
end

--- Fetch and show the code lenses of `bufnr` (0.10+ takes the buffer; older ones refresh the
--- current buffer, so the call runs in `bufnr`).
function M.refresh_codelens(bufnr)
  if vim.fn.has("nvim-0.10") == 1 then
    return vim.lsp.codelens.refresh({ bufnr = bufnr })
  end
  vim.api.nvim_buf_call(bufnr, function()
    vim.lsp.codelens.refresh()
  end)
end

--- Diagnostics of `client_name` on 0-based `line`, in LSP form for a code action context.
function M.line_diagnostics(bufnr, line, source)
  local out = {}
  for _, d in ipairs(vim.diagnostic.get(bufnr, { lnum = line })) do
    if d.source == nil or d.source == source then
      local lsp = d.user_data and d.user_data.lsp
      if lsp and lsp.range then -- 0.10+ keeps the server's diagnostic verbatim
        table.insert(out, lsp)
      else
        table.insert(out, {
          range = {
            start = { line = d.lnum, character = d.col },
            ["end"] = { line = d.end_lnum or d.lnum, character = d.end_col or d.col },
          },
          severity = d.severity,
          message = d.message,
          source = d.source,
          code = d.code or (lsp and lsp.code),
          data = lsp and lsp.data,
        })
      end
    end
  end
  return out
end

return M
