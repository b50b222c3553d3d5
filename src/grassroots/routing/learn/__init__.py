"""The routing model code: pure Python (scikit-learn, no Django), so it can be trained, evaluated and
benchmarked on a file of labelled messages without a database.

    from grassroots.routing.learn import Sample, TextClassifier
    model = TextClassifier.train([Sample(title, body, label), ...])   # documents={label: [category names]}
    model.predict([Sample(title, body)], k=3)   # → [[(label, probability), ...], ...], best first
    blob = model.dumps(); TextClassifier.loads(blob).meta   # version, trained_at, train_size, labels, evaluation
"""

from .classifier import Sample, TextClassifier

__all__ = ["Sample", "TextClassifier"]
