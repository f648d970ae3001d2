-- synthls.health: `:checkhealth synthls`, checks that the plugin is set up and the server
-- command can be found, on both the 0.7 (`health.report_*`) and 0.10+ (`vim.health.*`) APIs.

local M = {}

local function reporter()
  local h = vim.health
  if h and h.start then
    return h
  end
  local old = h or require("health") -- 0.7 .. 0.9
  return { start = old.report_start, ok = old.report_ok, warn = old.report_warn, error = old.report_error }
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
  health.ok(#clients .. " synthls client(s) running")
end

return M
