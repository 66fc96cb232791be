"""The plain llama-index pipeline we compare against (`python -m qa.eval.evaluate --compare`).

VectorStoreIndex over Chroma with the same MiniLM, one node per paragraph, dense
retrieval only; no BM25, no boilerplate filter, no sentence selection. Its answer
is the first retrieved paragraph, cited as itself. It lists ten paragraphs so that
hit@k can be drawn up to k=10; hit@5 is exactly that of top-5 retrieval.
"""
from __future__ import annotations

import tempfile
import time
from pathlib import Path

from ingest.paragraphs import read_article, split_paragraphs
from qa.answer import Answer, Citation, Retrieved
from qa.errors import ArticleError
from qa.settings import Settings


class PlainPipeline:
    name = "llama-index baseline"

    def __init__(self, settings: Settings, *, embedder=None, top_k: int = 10, vectors=None):
        """`vectors`: the paragraphs' embeddings, in file order, when already computed by the same
        model (the benchmark reuses its naive encode at sizes where embedding again takes an hour)."""
        import chromadb
        from chromadb.config import Settings as ChromaSettings
        from llama_index.core import Document, StorageContext, VectorStoreIndex
        from llama_index.core.schema import TextNode
        from llama_index.vector_stores.chroma import ChromaVectorStore

        if embedder is None:
            from ingest.embedding import load_embedder

            embedder = load_embedder(settings.replace(embed_runtime="torch"))  # plain: sentence-transformers
        self._tmp = tempfile.TemporaryDirectory(prefix="articles-qa-baseline-")
        client = chromadb.PersistentClient(path=self._tmp.name, settings=ChromaSettings(anonymized_telemetry=False))
        store = ChromaVectorStore(chroma_collection=client.get_or_create_collection("baseline"))
        documents = []
        for path in sorted(Path(settings.data_dir).rglob("*.txt")):
            try:
                text = read_article(path, max_bytes=settings.max_file_bytes)
            except ArticleError:
                continue
            name = path.relative_to(settings.data_dir).as_posix()
            documents += [Document(text=p.text, metadata={"file": name, "paragraph": p.number})
                          for p in split_paragraphs(text)]
        storage = StorageContext.from_defaults(vector_store=store)
        if vectors is None:
            self.index = VectorStoreIndex.from_documents(documents, storage_context=storage, embed_model=embedder)
        else:  # one node a paragraph, as from_documents makes them for paragraphs under its 1,024 tokens
            nodes = [TextNode(text=d.text, metadata=d.metadata, embedding=list(map(float, v)))
                     for d, v in zip(documents, vectors, strict=True)]
            self.index = VectorStoreIndex(nodes, storage_context=storage, embed_model=embedder)
        self.retriever = self.index.as_retriever(similarity_top_k=top_k)

    def load(self):
        return self

    def ask(self, question: str, history=None) -> Answer:
        started = time.perf_counter()
        nodes = self.retriever.retrieve(question)
        retrieved = [Retrieved(n.metadata["file"], int(n.metadata["paragraph"]), float(n.score or 0), float(n.score or 0), 0.0)
                     for n in nodes]
        if not nodes:
            return Answer(text="", citations=[], answered=False, question=question, backend=self.name)
        top = nodes[0]
        text = top.node.get_content()
        citation = Citation(file=top.metadata["file"], paragraph=int(top.metadata["paragraph"]), text=text, quote=text)
        return Answer(text=f"{text} [1]", citations=[citation], answered=True, question=question, query=question,
                      backend=self.name, retrieved=retrieved,
                      timings_ms={"total": round((time.perf_counter() - started) * 1000, 2)})
