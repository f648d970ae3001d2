"""The OpenAI-compatible engine: prompt building, the HTTP engine and output cleaning.

``OpenAISynthesizer`` implements :class:`synthls.synth.engine_protocol.Synthesizer`; ``EngineError`` carries a
clear, user-facing reason when the endpoint gives no candidates.
"""

from synthls.synth.openai.engine import OpenAISynthesizer
from synthls.synth.openai.errors import EngineError

__all__ = ["EngineError", "OpenAISynthesizer"]
