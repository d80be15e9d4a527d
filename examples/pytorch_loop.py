"""A PyTorch training script, written with glassnet: the same lines a PyTorch user writes.

Every call below is PyTorch's (``torch.manual_seed``, ``torch.randn``, ``TensorDataset``,
``DataLoader``, ``random_split``, an ``nn.Module`` with ``nn.Linear`` layers,
``torch.nn.functional``'s ``relu`` and ``cross_entropy``, ``optim.AdamW``,
``lr_scheduler.LinearLR``, ``clip_grad_norm_``, ``no_grad``, ``state_dict``), spelled
``gn`` for ``torch``. The model is then handed to one of glassnet's own tools:
``gn.summary`` traces its layers from one sample.

    python examples/pytorch_loop.py

It prints each epoch's training loss and validation accuracy, and ends with
"validation accuracy above 0.9: True" and "reloaded model predicts the same: True".
"""

from __future__ import annotations

import numpy as np

import glassnet as gn
import glassnet.nn.functional as F
from glassnet import nn
from glassnet.data import DataLoader, TensorDataset, random_split


class Net(nn.Module):
    def __init__(self, inputs: int, hidden: int, classes: int) -> None:
        super().__init__()
        self.fc1 = nn.Linear(inputs, hidden)
        self.fc2 = nn.Linear(hidden, classes)

    def forward(self, x):
        return self.fc2(F.relu(self.fc1(x)))


def main() -> None:
    gn.manual_seed(0)
    # two noisy moons of points, 3 classes by angle: 600 rows of 2 features
    X = gn.randn(600, 2)
    angle = np.arctan2(X.data[:, 1], X.data[:, 0])
    y = ((angle + np.pi) // (2 * np.pi / 3)).astype(np.int64) % 3  # class labels 0, 1, 2
    train_set, val_set = random_split(TensorDataset(X, y), [0.8, 0.2], generator=0)
    train_loader = DataLoader(train_set, batch_size=32, shuffle=True, generator=1)
    val_loader = DataLoader(val_set, batch_size=120)

    model = Net(2, 32, 3)
    opt = gn.optim.AdamW(model.parameters(), lr=0.02, weight_decay=1e-3)
    sched = gn.optim.lr_scheduler.LinearLR(opt, start_factor=0.25, total_iters=3)

    for epoch in range(1, 13):
        model.train()
        total, seen = 0.0, 0
        for xb, yb in train_loader:
            opt.zero_grad()
            loss = F.cross_entropy(model(xb), yb)
            loss.backward()
            nn.utils.clip_grad_norm_(model.parameters(), max_norm=5.0)
            opt.step()
            total, seen = total + loss.item() * len(yb), seen + len(yb)
        sched.step()
        model.eval()
        correct = 0
        with gn.no_grad():
            for xb, yb in val_loader:
                correct += int((model(xb).argmax(dim=1) == yb).sum())
        accuracy = correct / len(val_set)
        print(f"epoch {epoch:2d}  loss {total / seen:.4f}  validation accuracy {accuracy:.3f}")

    print(f"validation accuracy above 0.9: {accuracy > 0.9}")
    state = model.state_dict()  # a dict of name -> array, as PyTorch's
    again = Net(2, 32, 3)
    again.load_state_dict(state)
    same = np.array_equal(again(X).data, model(X).data)
    print(f"reloaded model predicts the same: {same}")
    # glassnet's own view of the same model: its layers, traced from one sample
    print(gn.summary(model, input_data=X[:1]))


if __name__ == "__main__":
    main()
