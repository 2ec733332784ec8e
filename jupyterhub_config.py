# Configuración del servidor del curso (JupyterHub). La usa `autograder servidor`, que arranca
# `jupyterhub -f jupyterhub_config.py` desde la raíz del curso. El intercambio de nbgrader está en
# `c.Exchange.root` de nbgrader_config.py.
import os

from autograder.pipeline.server.hub_config import configure_hub

c = get_config()  # noqa: F821 (provided by traitlets when this file is loaded)

configure_hub(
    c,
    root=os.path.dirname(os.path.abspath(__file__)),
    ip=os.environ.get("AUTOGRADER_HUB_IP", "127.0.0.1"),  # 0.0.0.0 detrás de un proxy con TLS (ver README)
    port=int(os.environ.get("AUTOGRADER_HUB_PORT", "8000")),
    # Perfil de la corrección al entregar: minutos por cuaderno con "rapido". La nota que cuenta es
    # la de `autograder corregir` tras la fecha de entrega.
    profile=os.environ.get("AUTOGRADER_SUBMISSION_PROFILE", "rapido"),
)
