"""How the model is loaded: GPU layers (the engine's plan or a number), GPU device, context size, KV cache type
and threads.

The choices are remembered in the settings file and turned into the engine's :class:`LoadOptions`.
"""

from __future__ import annotations

from PySide6.QtCore import QEvent, Signal
from PySide6.QtWidgets import QCheckBox, QComboBox, QFormLayout, QHBoxLayout, QLabel, QSpinBox, QWidget

from ziya_desktop.engine.engine import LoadOptions
from ziya_desktop.engine.hardware import HardwareInfo
from ziya_desktop.engine.load_setup import KV_CACHE_TYPES, KvCacheType
from ziya_desktop.engine.offload import GpuLayers
from ziya_desktop.ui.common.settings import settings

GPU_LAYERS_KEY = "gpu/layers"
GPU_DEVICE_KEY = "gpu/device"
N_CTX_KEY = "model/n_ctx"
THREADS_KEY = "model/threads"
KV_CACHE_KEY = "model/kv_cache_type"
AUTO = "auto"

# Ziya-Writing-LLaMa-13B-v1 has 40 layers; n_layer + 1 puts the output layer on the GPU too.
DEFAULT_N_LAYER = 40
MIN_N_CTX = 512
MAX_N_CTX = 2048
N_CTX_STEP = 256


def _stored_int(value: object, low: int, high: int) -> int | None:
    """A stored number within ``low..high``, or None for "auto", missing or malformed values."""
    text = str(value).strip() if value is not None else ""
    if not text.lstrip("-").isdigit():
        return None
    number = int(text)
    return number if low <= number <= high else None


def _stored_kv_cache_type(value: object) -> KvCacheType:
    """The stored KV cache type, f16 for missing or unknown values."""
    return "q8_0" if value == "q8_0" else "f16"


def stored_load_options(*, n_layer: int = DEFAULT_N_LAYER) -> LoadOptions:
    """The load settings saved by :class:`GpuSettingsWidget`, without building it (for loading at start-up)."""
    store = settings()
    layers = _stored_int(store.value(GPU_LAYERS_KEY, AUTO), 0, n_layer + 1)
    n_ctx = _stored_int(store.value(N_CTX_KEY, MAX_N_CTX), MIN_N_CTX, MAX_N_CTX)
    return LoadOptions(
        gpu_layers="auto" if layers is None else layers,
        n_ctx=MAX_N_CTX if n_ctx is None else n_ctx,
        threads=_stored_int(store.value(THREADS_KEY, AUTO), 1, 256),
        gpu_device=str(device) if isinstance(device := store.value(GPU_DEVICE_KEY, ""), str) and device else None,
        kv_cache_type=_stored_kv_cache_type(store.value(KV_CACHE_KEY, "f16")),
    )


class GpuSettingsWidget(QWidget):
    """The load settings form.

    Args:
        hardware: this machine (None until the probe has run: call :meth:`set_hardware` when it has).
        n_layer: the model's layer count; the layer spin box goes to ``n_layer + 1`` (every layer and the output).

    Signals:
        optionsChanged(LoadOptions): after any change by the writer; the settings file already holds it.
    """

    optionsChanged = Signal(LoadOptions)

    def __init__(
        self, hardware: HardwareInfo | None = None, *, n_layer: int = DEFAULT_N_LAYER, parent: QWidget | None = None
    ) -> None:
        super().__init__(parent)
        self._hardware: HardwareInfo | None = None
        self._loading = True

        self.auto_layers = QCheckBox(self)
        self.auto_layers.setObjectName("autoGpuLayers")
        self.layers = QSpinBox(self)
        self.layers.setObjectName("gpuLayers")
        layers_row = QHBoxLayout()
        layers_row.addWidget(self.auto_layers)
        layers_row.addWidget(self.layers)
        layers_row.addStretch(1)

        self.device = QComboBox(self)
        self.device.setObjectName("gpuDevice")
        self.device_note = QLabel(self)
        self.device_note.setObjectName("gpuDeviceNote")
        self.device_note.setWordWrap(True)

        self.n_ctx = QSpinBox(self)
        self.n_ctx.setObjectName("contextSize")
        self.n_ctx.setRange(MIN_N_CTX, MAX_N_CTX)
        self.n_ctx.setSingleStep(N_CTX_STEP)

        self.kv_cache = QComboBox(self)
        self.kv_cache.setObjectName("kvCacheType")
        for kind in KV_CACHE_TYPES:
            self.kv_cache.addItem("", kind)

        self.auto_threads = QCheckBox(self)
        self.auto_threads.setObjectName("autoThreads")
        self.threads = QSpinBox(self)
        self.threads.setObjectName("threads")
        threads_row = QHBoxLayout()
        threads_row.addWidget(self.auto_threads)
        threads_row.addWidget(self.threads)
        threads_row.addStretch(1)

        form = QFormLayout(self)
        form.setContentsMargins(0, 0, 0, 0)
        self.layers_label, self.device_label, self.n_ctx_label, self.threads_label, self.kv_cache_label = (
            QLabel(self) for _ in range(5)
        )
        form.addRow(self.layers_label, layers_row)
        device_row = QHBoxLayout()
        device_row.addWidget(self.device)
        device_row.addWidget(self.device_note, 1)
        ctx_row = QHBoxLayout()
        ctx_row.addWidget(self.n_ctx)
        ctx_row.addStretch(1)
        form.addRow(self.device_label, device_row)
        form.addRow(self.n_ctx_label, ctx_row)
        kv_row = QHBoxLayout()
        kv_row.addWidget(self.kv_cache)
        kv_row.addStretch(1)
        form.addRow(self.kv_cache_label, kv_row)
        form.addRow(self.threads_label, threads_row)

        self.retranslate()
        self.set_n_layer(n_layer)
        self._restore()
        self.set_hardware(hardware)
        self._loading = False
        for box in (self.auto_layers, self.auto_threads):
            box.toggled.connect(self._changed)
        for spin in (self.layers, self.n_ctx, self.threads):
            spin.valueChanged.connect(self._changed)
        self.device.currentIndexChanged.connect(self._changed)
        self.kv_cache.currentIndexChanged.connect(self._changed)

    def retranslate(self) -> None:
        """Set the fixed texts in the current UI language (those that depend on the hardware: :meth:`set_hardware`)."""
        self.auto_layers.setText(self.tr("Automatic (as many as fit in free GPU memory)"))
        self.n_ctx.setSuffix(self.tr(" tokens"))
        self.n_ctx.setToolTip(self.tr("The prompt and the answer share this window; the model was trained on 2048."))
        self.layers_label.setText(self.tr("GPU layers"))
        self.device_label.setText(self.tr("GPU"))
        self.n_ctx_label.setText(self.tr("Context size"))
        self.threads_label.setText(self.tr("CPU threads"))
        self.kv_cache_label.setText(self.tr("KV cache"))
        texts = {
            "f16": self.tr("f16 (exact)"),
            "q8_0": self.tr("q8_0 (about half the memory; needs flash attention)"),
        }
        for index in range(self.kv_cache.count()):
            self.kv_cache.setItemText(index, texts[str(self.kv_cache.itemData(index))])
        self.kv_cache.setToolTip(
            self.tr(
                "The cache of the context's keys and values: 1.6 GiB for the 13B model at 2048 tokens in f16. "
                "q8_0 lets more layers fit on a GPU at a small cost in accuracy."
            )
        )

    def changeEvent(self, event: QEvent) -> None:
        super().changeEvent(event)
        if event.type() == QEvent.Type.LanguageChange:
            self.retranslate()
            # Relabelling the devices is no choice of the writer's: nothing is saved, the chosen GPU stays.
            device, self._loading = self.device_name(), True
            self.set_n_layer(self.layers.maximum() - 1)
            self.set_hardware(self._hardware)
            self.device.setCurrentIndex(max(self.device.findData(device), 0))
            self._loading = False

    # -- state ---------------------------------------------------------------------------------------------------

    def set_n_layer(self, n_layer: int) -> None:
        """Adapt the layer range to a model with ``n_layer`` repeating layers."""
        self.layers.setRange(0, n_layer + 1)
        self.layers.setToolTip(
            self.tr("0 runs on the CPU; {all} puts every layer and the output layer on the GPU.").format(
                all=n_layer + 1
            )
        )

    def set_hardware(self, hardware: HardwareInfo | None) -> None:
        """Show the devices and core count of ``hardware`` (None: still checking)."""
        self._hardware = hardware
        chosen = self.device.currentText() or str(settings().value(GPU_DEVICE_KEY, ""))
        self.device.blockSignals(True)
        self.device.clear()
        if hardware is None:
            self.device.setEnabled(False)
            self.device_note.setText(self.tr("Checking this machine…"))
        elif not hardware.gpu_offload or not hardware.gpus:
            self.device.setEnabled(False)
            self.device_note.setText(self.tr("No GPU found: runs on the CPU"))
        else:
            for gpu in hardware.gpus:
                label = self.tr("{name} ({free} GB free of {total} GB)").format(
                    name=gpu.description or gpu.name,
                    free=f"{gpu.free_bytes / 1e9:.1f}",
                    total=f"{gpu.total_bytes / 1e9:.1f}",
                )
                self.device.addItem(label, gpu.name)
            index = self.device.findData(chosen)
            self.device.setCurrentIndex(max(index, 0))
            several = len(hardware.gpus) > 1
            self.device.setEnabled(several)
            # One GPU needs no explanation; with several, say which one the choice affects.
            self.device_note.setText(
                self.tr("{backend}: the model goes to the GPU chosen here.").format(backend=hardware.backend)
                if several
                else ""
            )
        self.device.blockSignals(False)
        self.device_note.setVisible(bool(self.device_note.text()))
        no_gpu = hardware is not None and (not hardware.gpu_offload or not hardware.gpus)
        self.auto_layers.setEnabled(not no_gpu)
        self._sync_enabled()
        cores = hardware.physical_cores if hardware is not None else None
        logical = hardware.logical_cpus if hardware is not None else 256
        self.threads.setRange(1, max(1, logical))
        self.auto_threads.setText(
            self.tr("Automatic ({cores} physical cores)").format(cores=cores)
            if cores is not None
            else self.tr("Automatic (physical cores)")
        )

    def _restore(self) -> None:
        store = settings()
        layers = _stored_int(store.value(GPU_LAYERS_KEY, AUTO), 0, self.layers.maximum())
        self.auto_layers.setChecked(layers is None)
        self.layers.setValue(layers if layers is not None else self.layers.maximum())
        n_ctx = _stored_int(store.value(N_CTX_KEY, MAX_N_CTX), MIN_N_CTX, MAX_N_CTX)
        self.n_ctx.setValue(n_ctx if n_ctx is not None else MAX_N_CTX)
        self.threads.setRange(1, 256)
        threads = _stored_int(store.value(THREADS_KEY, AUTO), 1, 256)
        self.auto_threads.setChecked(threads is None)
        self.threads.setValue(threads if threads is not None else 1)
        kv = _stored_kv_cache_type(store.value(KV_CACHE_KEY, "f16"))
        self.kv_cache.setCurrentIndex(max(self.kv_cache.findData(kv), 0))

    def _sync_enabled(self) -> None:
        no_gpu = not self.auto_layers.isEnabled()
        self.layers.setEnabled(not no_gpu and not self.auto_layers.isChecked())
        self.threads.setEnabled(not self.auto_threads.isChecked())

    def _changed(self) -> None:
        self._sync_enabled()
        if self._loading:
            return
        store = settings()
        store.setValue(GPU_LAYERS_KEY, AUTO if self.auto_layers.isChecked() else self.layers.value())
        store.setValue(N_CTX_KEY, self.n_ctx.value())
        store.setValue(THREADS_KEY, AUTO if self.auto_threads.isChecked() else self.threads.value())
        store.setValue(KV_CACHE_KEY, self.kv_cache_type())
        device = self.device_name()
        # A device is a choice only among several; with one, llama.cpp's default uses it anyway.
        if device is not None and self.device.count() > 1:
            store.setValue(GPU_DEVICE_KEY, device)
        else:
            store.remove(GPU_DEVICE_KEY)
        store.sync()
        self.optionsChanged.emit(self.load_options())

    # -- results -------------------------------------------------------------------------------------------------

    def gpu_layers(self) -> GpuLayers:
        """``"auto"``, or the chosen number; 0 on a machine without a GPU."""
        if not self.auto_layers.isEnabled():
            return 0
        if self.auto_layers.isChecked():
            return "auto"
        return self.layers.value()

    def device_name(self) -> str | None:
        """The chosen GPU's backend name (``CUDA0``…), or None without a GPU."""
        data = self.device.currentData()
        return str(data) if data is not None else None

    def kv_cache_type(self) -> KvCacheType:
        return _stored_kv_cache_type(self.kv_cache.currentData())

    def load_options(self) -> LoadOptions:
        """The engine's options for these choices; the device only where there is a choice of several."""
        return LoadOptions(
            gpu_layers=self.gpu_layers(),
            n_ctx=self.n_ctx.value(),
            threads=None if self.auto_threads.isChecked() else self.threads.value(),
            gpu_device=self.device_name() if self.device.count() > 1 else None,
            kv_cache_type=self.kv_cache_type(),
        )


__all__ = ["GpuSettingsWidget", "stored_load_options"]
