-- Headless Neovim driver for the synthls client tests (run by tests/test_nvim.py).
--
-- It loads the plugin exactly as a user would (`require("synthls").setup`), opens a file,
-- plays one scenario through the plugin's public functions, writes the buffer and records what
-- happened as JSON for the Python side to assert on. Exits non-zero (`cquit`) on any failure.
-- Environment: SYNTHLS_TEST_CMD (JSON list), SYNTHLS_TEST_FILE, SYNTHLS_TEST_SCENARIO
-- (synthesize | from_comment | diagnostic | regenerate | status | health | cancel | ask | ask_lens),
-- SYNTHLS_TEST_OUT,
-- SYNTHLS_TEST_TIMEOUT (ms), SYNTHLS_TEST_SETTINGS (JSON object, optional).

local env = vim.env
local out_path = assert(env.SYNTHLS_TEST_OUT, "SYNTHLS_TEST_OUT is required")
local timeout = tonumber(env.SYNTHLS_TEST_TIMEOUT or "120000")
local record = { nvim = tostring(vim.version().major .. "." .. vim.version().minor .. "." .. vim.version().patch) }

local function save()
  vim.fn.writefile({ vim.fn.json_encode(record) }, out_path)
end

local function wait_for(what, predicate)
  if not vim.wait(timeout, predicate, 50) then
    error("timed out waiting for " .. what)
  end
end

local function diagnostics(bufnr)
  local out = {}
  for _, d in ipairs(vim.diagnostic.get(bufnr)) do
    table.insert(out, { lnum = d.lnum, message = d.message, source = d.source or vim.NIL, severity = d.severity })
  end
  return out
end

local function first_def_line(bufnr)
  for i, text in ipairs(vim.api.nvim_buf_get_lines(bufnr, 0, -1, false)) do
    if text:match("^%s*def ") or text:match("^%s*async def ") then
      return i - 1
    end
  end
  error("no def in the test file")
end

local function run_action(fn, bufnr, line)
  local finished, failure, result = false, nil, nil
  fn({ bufnr = bufnr, line = line, on_done = function(err, res)
    finished, failure, result = true, err, res
  end })
  wait_for("the code action to finish", function()
    return finished
  end)
  if failure then
    error("code action failed: " .. (type(failure) == "table" and vim.fn.json_encode(failure) or tostring(failure)))
  end
  record.action_result = result == nil and vim.NIL or result
end

local function wait_diagnostics(bufnr)
  wait_for("a synthls diagnostic", function()
    for _, d in ipairs(diagnostics(bufnr)) do
      if d.source == "synthls" then
        return true
      end
    end
    return false
  end)
  record.diagnostics = diagnostics(bufnr)
end

local scenarios = {}

function scenarios.synthesize(synthls, bufnr)
  run_action(synthls.synthesize, bufnr, first_def_line(bufnr))
end

function scenarios.from_comment(synthls, bufnr)
  run_action(synthls.generate_from_comment, bufnr, 0)
end

function scenarios.diagnostic(_, bufnr)
  wait_diagnostics(bufnr)
end

function scenarios.regenerate(synthls, bufnr)
  wait_diagnostics(bufnr)
  local line = record.diagnostics[1].lnum
  for _, d in ipairs(record.diagnostics) do
    if d.source == "synthls" then
      line = d.lnum
      break
    end
  end
  run_action(synthls.regenerate, bufnr, line)
end

function scenarios.status(synthls, bufnr)
  local finished, status = false, nil
  synthls.sandbox_status({ bufnr = bufnr, on_done = function(err, res)
    finished, status = true, err and { error = err } or res
  end })
  wait_for("sandbox status", function()
    return finished
  end)
  record.status = status
  record.status_text = require("synthls.actions").format_status(status)
end

-- Start a synthesis that waits (the fake server's FAKE_SYNTHLS_SLOW), cancel it with
-- :SynthlsCancel and record what its on_done got; the editor stays responsive meanwhile.
function scenarios.cancel(synthls, bufnr)
  local finished, failure = false, nil
  synthls.synthesize({ bufnr = bufnr, line = first_def_line(bufnr), on_done = function(err)
    finished, failure = true, err
  end })
  wait_for("the synthesis request in flight", function()
    return next(require("synthls.actions").pending) ~= nil
  end)
  record.responsive = vim.fn.eval("1 + 1") == 2 and not finished
  vim.cmd("SynthlsCancel")
  wait_for("the cancelled synthesis to finish", function()
    return finished
  end)
  record.cancel_error = failure == nil and vim.NIL or failure
  record.pending_after = vim.tbl_count(require("synthls.actions").pending)
  wait_for("the server to see the cancel", function()
    return (vim.uv or vim.loop).fs_stat(env.FAKE_SYNTHLS_SLOW) ~= nil
  end)
end

-- `:checkhealth synthls` with the client running; its report's lines are recorded.
function scenarios.health(_, bufnr)
  vim.cmd("checkhealth synthls")
  record.health = vim.api.nvim_buf_get_lines(0, 0, -1, false)
  vim.api.nvim_set_current_buf(bufnr)
end

-- The user's side of a question. Neovim 0.10+ shows `window/showMessageRequest` through
-- `vim.ui.select`, older releases through `inputlist()`; a choice between several code lenses
-- goes through `vim.ui.select` on every release. These record what was shown and pick the first
-- answer (or dismiss the question when `dismiss` is set).
local function answering_select(dismiss)
  record.questions, record.lens_choices = {}, {}
  vim.fn.inputlist = function(lines)
    local titles = {}
    for i = 3, #lines do
      table.insert(titles, (lines[i]:gsub("^%d+%. ", "")))
    end
    table.insert(record.questions, { prompt = lines[1], titles = titles })
    return dismiss and 0 or 1
  end
  vim.ui.select = function(items, opts, on_choice)
    local titles = {}
    for _, item in ipairs(items) do
      table.insert(titles, item.title or (item.lens and item.lens.command.title) or tostring(item))
    end
    if items[1] and items[1].lens then -- vim.lsp.codelens.run(): several lenses on the line
      for _, option in ipairs(items) do
        if option.lens.command.command == "synthls.answer" then
          record.lens_choices = titles
          record.lens_answer = option.lens.command.arguments
          return on_choice(option)
        end
      end
    elseif opts.kind == "lsp_message" then
      table.insert(record.questions, { prompt = (opts.prompt:gsub(": $", "")), titles = titles })
      return on_choice(not dismiss and items[1] or nil)
    end
    on_choice(nil)
  end
end

local function has_line(bufnr, wanted)
  return vim.tbl_contains(vim.api.nvim_buf_get_lines(bufnr, 0, -1, false), wanted)
end

function scenarios.ask(synthls, bufnr)
  answering_select(false)
  run_action(synthls.synthesize, bufnr, first_def_line(bufnr))
end

-- The answer lenses of the question now waiting (not of the one answered, `except`).
local function answer_lenses(bufnr, except)
  local found = {}
  wait_for("the question's code lenses", function()
    found = {}
    for _, lens in ipairs(vim.lsp.codelens.get(bufnr)) do
      local command = lens.command
      if command and command.command == "synthls.answer" and command.arguments[3] ~= except then
        table.insert(found, lens)
      end
    end
    return #found > 0
  end)
  return found
end

-- Dismiss every dialog and answer through the stock `vim.lsp.codelens.run()`: an answer resumes
-- the job, whose next question (a confirmation) is dismissed too and waits in a lens of its own.
function scenarios.ask_lens(synthls, bufnr)
  answering_select(true)
  local line = first_def_line(bufnr)
  run_action(synthls.synthesize, bufnr, line)
  record.lens_answers, record.all_lens_choices = {}, {}
  local answered = nil
  for _ = 1, 3 do
    local found = answer_lenses(bufnr, answered)
    record.lens_answer, record.lens_choices = nil, {}
    if #found == 1 then -- one lens on the line: `codelens.run()` runs it without asking
      record.lens_answer = found[1].command.arguments
      record.lens_choices = { found[1].command.title }
    end
    vim.api.nvim_win_set_cursor(0, { line + 1, 0 })
    vim.lsp.codelens.run()
    wait_for("the lens answer taken", function()
      return record.lens_answer ~= nil
    end)
    answered = record.lens_answer[3]
    table.insert(record.lens_answers, record.lens_answer)
    table.insert(record.all_lens_choices, record.lens_choices)
    local done = false
    wait_for("the answered example in the buffer, or the next question's lens", function()
      done = has_line(bufnr, "    >>> " .. answered)
      if done then
        return true
      end
      for _, lens in ipairs(vim.lsp.codelens.get(bufnr)) do
        local command = lens.command
        if command and command.command == "synthls.answer" and command.arguments[3] ~= answered then
          return true
        end
      end
      return false
    end)
    if done then
      return
    end
  end
end

local function main()
  local synthls = require("synthls")
  local settings = env.SYNTHLS_TEST_SETTINGS and vim.fn.json_decode(env.SYNTHLS_TEST_SETTINGS) or {}
  synthls.setup({ cmd = vim.fn.json_decode(env.SYNTHLS_TEST_CMD), settings = settings })
  vim.cmd("edit " .. vim.fn.fnameescape(env.SYNTHLS_TEST_FILE))
  local bufnr = vim.api.nvim_get_current_buf()
  local actions = require("synthls.actions")
  wait_for("the synthls client to initialize", function()
    local client = actions.client_for(bufnr)
    return client ~= nil and client.initialized == true
  end)
  record.offset_encoding = actions.client_for(bufnr).offset_encoding
  local compat = require("synthls.compat")
  record.start_api = compat.has_lsp_config() and "vim.lsp.config"
    or (vim.lsp.start and "vim.lsp.start" or "vim.lsp.start_client")
  local scenario = assert(scenarios[env.SYNTHLS_TEST_SCENARIO], "unknown scenario")
  answering_select(true) -- a headless prompt would wait forever: dismiss (and record) any question
  scenario(synthls, bufnr)
  vim.cmd("write")
  record.lines = vim.api.nvim_buf_get_lines(bufnr, 0, -1, false)
  record.messages = vim.fn.execute("messages")
  record.ok = true
end

local ok, err = xpcall(main, debug.traceback)
if not ok then
  record.ok = false
  record.error = tostring(err)
end
save()
for _, client in ipairs(require("synthls.compat").get_clients("synthls")) do
  vim.lsp.stop_client(client.id)
end
vim.wait(2000, function()
  return #require("synthls.compat").get_clients("synthls") == 0
end, 50)
if ok then
  vim.cmd("qall!")
else
  vim.cmd("cquit 1")
end
