-- synthls.commands: the plugin's user commands (`:SynthlsSynthesize` etc.).
--
-- Commands rather than key mappings: the plugin maps nothing by default, and commands give the
-- user something to map and to run from the command line.

local M = {}

function M.create(synthls)
  local function add(name, fn, desc)
    vim.api.nvim_create_user_command(name, function()
      fn()
    end, { desc = desc, force = true })
  end
  add("SynthlsSynthesize", synthls.synthesize, "synthls: synthesize the body of the function at the cursor")
  add("SynthlsRegenerate", synthls.regenerate, "synthls: regenerate a body whose examples fail")
  add("SynthlsFromComment", synthls.generate_from_comment, "synthls: generate code from the comment at the cursor")
  add("SynthlsAction", synthls.code_action, "synthls: pick a synthls code action at the cursor")
  add("SynthlsCheck", synthls.check_file, "synthls: check the file's functions against their examples")
  add("SynthlsStatus", synthls.sandbox_status, "synthls: show the engine in use, the sandbox layers and the local model")
  add("SynthlsCancel", synthls.cancel, "synthls: cancel the synthls requests in flight")
end

return M
