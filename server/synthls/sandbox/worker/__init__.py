"""The sandbox worker: a stdlib-only fork server and the code its children run.

This package is started as a fresh interpreter (``python -I -c BOOTSTRAP DIR``), never imported
by the server for execution, so it must stay stdlib-only and must not import anything from
``synthls``: it is also copied verbatim to run under other interpreters and users. Modules use
relative imports so the package can be loaded under any name.
"""

BOOTSTRAP = (
    "import importlib.util as u,sys\n"
    "d=sys.argv[1]\n"
    "s=u.spec_from_file_location('_synthls_worker',d+'/__init__.py',submodule_search_locations=[d])\n"
    "m=u.module_from_spec(s);sys.modules['_synthls_worker']=m;s.loader.exec_module(m)\n"
    "from _synthls_worker import zygote\n"
    "raise SystemExit(zygote.main(sys.argv[2:]))\n"
)
