complete --keep-order --exclusive --command muxdeck --arguments "(COMPLETE=fish muxdeck -- (commandline --current-process --tokenize --cut-at-cursor) (commandline --current-token))"
