"""SupportNet's interactive dashboard (Solara): explore runs live, and teach with them.

Start it with ``supportnet dashboard``. The page is :func:`supportnet.dashboards.app.Page`; its
parts live in one module each (network view, plots, controls, inspector, compare, results explorer,
info). Nothing here is imported by the model or the experiments, so sweeps never load Solara.
"""
