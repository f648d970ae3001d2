-- synthls: Neovim client for the synthls language server.
--
-- `require("synthls").setup({...})` starts the server for Python buffers with standard LSP
-- only: on Neovim 0.11+ through `vim.lsp.config` / `vim.lsp.enable`, on 0.7-0.10 through a
-- FileType autocommand and `vim.lsp.start` / `vim.lsp.start_client`. It maps no keys; the
-- functions below are meant for the user's own mappings (see the README).

local actions = require("synthls.actions")
local compat = require("synthls.compat")

local M = {}

M.defaults = {
  name = "synthls",
  cmd = { "synthls" },
  filetypes = { "python" },
  root_markers = { "pyproject.toml", "setup.py", "setup.cfg", ".git" },
  settings = {}, -- the server's settings tree, e.g. { engine = "openai", openai = { model = "..." } }
  on_attach = nil,
  capabilities = nil,
  user_commands = true,
}

M.config = nil

--- Client capabilities: Neovim's defaults plus what synthls' lazy actions rely on.
function M.capabilities(extra)
  local caps = vim.lsp.protocol.make_client_capabilities()
  caps.workspace = caps.workspace or {}
  caps.workspace.applyEdit = true
  caps.workspace.workspaceEdit = caps.workspace.workspaceEdit or {}
  caps.workspace.workspaceEdit.documentChanges = true
  local ca = caps.textDocument.codeAction or {}
  ca.dataSupport = true
  ca.resolveSupport = ca.resolveSupport or { properties = { "edit" } }
  caps.textDocument.codeAction = ca
  if extra then
    caps = vim.tbl_deep_extend("force", caps, extra)
  end
  return caps
end

--- `value` with every empty table made an empty JSON object (Lua's `{}` encodes as `[]`).
local function as_objects(value)
  if type(value) ~= "table" then
    return value
  end
  if next(value) == nil then
    return vim.empty_dict()
  end
  local out = {}
  for k, v in pairs(value) do
    out[k] = as_objects(v)
  end
  return out
end

--- The LSP client config built from setup options (pure; used by every start path).
function M.client_config(opts)
  local settings = as_objects(opts.settings or {})
  return {
    name = opts.name,
    cmd = opts.cmd,
    cmd_env = opts.cmd_env,
    filetypes = opts.filetypes,
    root_markers = opts.root_markers,
    init_options = settings,
    settings = { synthls = settings },
    capabilities = M.capabilities(opts.capabilities),
    flags = { debounce_text_changes = 150 },
    on_init = function(client)
      if not vim.tbl_isempty(settings) then
        compat.notify(client, "workspace/didChangeConfiguration", { settings = { synthls = settings } })
      end
      return true
    end,
    on_attach = opts.on_attach,
  }
end

local function start_legacy(config, bufnr)
  if vim.bo[bufnr].buftype ~= "" then
    return
  end
  local path = vim.api.nvim_buf_get_name(bufnr)
  local cfg = vim.deepcopy(config)
  cfg.root_dir = compat.find_root(path ~= "" and path or vim.fn.getcwd() .. "/x", config.root_markers)
  cfg.filetypes, cfg.root_markers = nil, nil
  compat.start(cfg, bufnr)
end

local function enable(config)
  if compat.has_lsp_config() then
    vim.lsp.config(config.name, config)
    vim.lsp.enable(config.name)
    return
  end
  local group = vim.api.nvim_create_augroup("synthls", { clear = true })
  vim.api.nvim_create_autocmd("FileType", {
    group = group,
    pattern = config.filetypes,
    callback = function(args)
      start_legacy(config, args.buf)
    end,
  })
  for _, bufnr in ipairs(vim.api.nvim_list_bufs()) do -- buffers opened before setup()
    if vim.api.nvim_buf_is_loaded(bufnr) and vim.tbl_contains(config.filetypes, vim.bo[bufnr].filetype) then
      start_legacy(config, bufnr)
    end
  end
end

--- Configure and enable the server for `opts.filetypes` buffers.
function M.setup(opts)
  M.config = vim.tbl_deep_extend("force", vim.deepcopy(M.defaults), opts or {})
  for _, list in ipairs({ "cmd", "filetypes", "root_markers" }) do -- lists replace, never merge
    if opts and opts[list] then
      M.config[list] = opts[list]
    end
  end
  enable(M.client_config(M.config))
  if M.config.user_commands then
    require("synthls.commands").create(M)
  end
  return M.config
end

--- Synthesize the body of the function at the cursor (code action "Synthesize body from docstring").
function M.synthesize(opts)
  return actions.code_action(vim.tbl_extend("keep", opts or {}, { title = actions.TITLES.synthesize }))
end

--- Regenerate a body whose examples fail (quickfix on a failing-example diagnostic).
function M.regenerate(opts)
  return actions.code_action(vim.tbl_extend("keep", opts or {}, { title = actions.TITLES.regenerate }))
end

--- Generate code from the `# ...` comment directive at the cursor.
function M.generate_from_comment(opts)
  return actions.code_action(vim.tbl_extend("keep", opts or {}, { title = actions.TITLES.from_comment }))
end

--- Pick any synthls code action at the cursor.
function M.code_action(opts)
  return actions.code_action(opts)
end

--- Re-check every function of the current file against its examples (diagnostics follow).
function M.check_file(opts)
  local bufnr = (opts and opts.bufnr) or vim.api.nvim_get_current_buf()
  return actions.command("synthls.checkFile", { vim.uri_from_bufnr(bufnr) }, opts)
end

--- Cancel the synthls requests in flight (e.g. one waiting for the local model to load); each
--- one's on_done gets "cancelled". Returns how many were cancelled.
function M.cancel()
  local n = actions.cancel()
  vim.notify("synthls: " .. (n == 0 and "nothing to cancel" or ("cancelled " .. n .. " request(s)")), vim.log.levels.INFO)
  return n
end

--- Show the engine in use (and why), the sandbox layers and the local model's state.
function M.sandbox_status(opts)
  opts = opts or {}
  local done = opts.on_done
    or function(err, status)
      if err then
        vim.notify("synthls: " .. (err.message or tostring(err)), vim.log.levels.WARN)
      else
        vim.notify(actions.format_status(status), vim.log.levels.INFO)
      end
    end
  return actions.command("synthls.sandboxStatus", {}, { bufnr = opts.bufnr, on_done = done })
end

return M
