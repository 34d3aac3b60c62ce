"""Read objects out of an installed R package's lazy-load data (Rdata.rdb/.rdx).

Just enough of R's serialization format (version 2 and 3, XDR) to read the
`sp` polygons that the `rnaturalearthdata` package ships, with Python's
standard library only. Nothing here runs R code or reaches the network.

An object comes back as an `RObject`: `kind` is the R type name, `value` a
Python list (or a string, for symbols), `attrs` a dict of attributes (for an
S4 object, its slots).
"""

import gzip
import lzma
import struct
import zlib

# SEXP type codes (R's Rinternals.h) and the serializer's special codes
# (serialize.c).
NILSXP, SYMSXP, LISTSXP, CLOSXP, ENVSXP, PROMSXP, LANGSXP = 0, 1, 2, 3, 4, 5, 6
SPECIALSXP, BUILTINSXP, CHARSXP, LGLSXP = 7, 8, 9, 10
INTSXP, REALSXP, CPLXSXP, STRSXP, DOTSXP = 13, 14, 15, 16, 17
VECSXP, EXPRSXP, RAWSXP, S4SXP = 19, 20, 24, 25
REFSXP, NILVALUE_SXP, GLOBALENV_SXP, UNBOUNDVALUE_SXP = 255, 254, 253, 252
MISSINGARG_SXP, BASENAMESPACE_SXP, NAMESPACESXP, PACKAGESXP = 251, 250, 249, 248
PERSISTSXP, EMPTYENV_SXP, BASEENV_SXP = 247, 242, 241
ATTRLANGSXP, ATTRLISTSXP, ALTREP_SXP = 240, 239, 238

NA_INTEGER = -(2**31)


class RObject:
    """One R value: its type name, its contents and its attributes."""

    def __init__(self, kind, value=None, attrs=None):
        self.kind = kind
        self.value = value
        self.attrs = attrs or {}

    def __repr__(self):
        return f"RObject({self.kind}, {str(self.value)[:40]}, {list(self.attrs)})"

    def attr(self, name):
        """The attribute (or S4 slot) `name`, or None."""
        return self.attrs.get(name)


class Reader:
    """Reads one serialized object from bytes."""

    def __init__(self, data):
        self.data = data
        self.pos = 0
        self.refs = []

    def take(self, n):
        chunk = self.data[self.pos : self.pos + n]
        if len(chunk) != n:
            raise ValueError("serialized R data ends early")
        self.pos += n
        return chunk

    def int(self):
        return struct.unpack(">i", self.take(4))[0]

    def length(self):
        n = self.int()
        if n == -1:
            hi, lo = self.int(), self.int()
            n = (hi << 32) + lo
        return n

    def header(self):
        if self.take(2) != b"X\n":
            raise ValueError("not XDR-serialized R data")
        version = self.int()
        self.int()  # writer's R version
        self.int()  # oldest R that can read it
        if version == 3:
            self.take(self.int())  # native encoding name
        elif version != 2:
            raise ValueError(f"R serialization version {version} is not supported")

    def string(self):
        """A CHARSXP body (after its flags)."""
        n = self.int()
        return None if n == -1 else self.take(n).decode("utf-8", "replace")

    def persistent_names(self):
        if self.int() != 0:
            raise ValueError("unexpected persistent-name header")
        return [self.item() for _ in range(self.int())]

    def attributes(self, has_attr):
        if not has_attr:
            return {}
        return pairlist_dict(self.item())

    def item(self):
        flags = self.int()
        kind = flags & 0xFF
        has_attr = bool(flags & (1 << 9))
        has_tag = bool(flags & (1 << 10))

        if kind == REFSXP:
            index = flags >> 8 or self.int()
            return self.refs[index - 1]
        if kind == NILVALUE_SXP:
            return None
        if kind in (GLOBALENV_SXP, UNBOUNDVALUE_SXP, MISSINGARG_SXP,
                    BASENAMESPACE_SXP, EMPTYENV_SXP, BASEENV_SXP):
            return RObject("special", kind)
        if kind in (NAMESPACESXP, PACKAGESXP, PERSISTSXP):
            obj = RObject("namespace", self.persistent_names())
            self.refs.append(obj)
            return obj
        if kind == SYMSXP:
            name = self.item()
            obj = RObject("symbol", name.value if isinstance(name, RObject) else name)
            self.refs.append(obj)
            return obj
        if kind == ENVSXP:
            obj = RObject("environment")
            self.refs.append(obj)
            self.int()  # locked
            obj.value = [self.item(), self.item(), self.item()]  # enclosure, frame, hash table
            obj.attrs = pairlist_dict(self.item())
            return obj
        if kind in (LISTSXP, LANGSXP, CLOSXP, PROMSXP, DOTSXP, ATTRLANGSXP, ATTRLISTSXP):
            attrs = self.attributes(has_attr)
            tag = self.item() if has_tag else None
            car = self.item()
            cdr = self.item()
            return RObject("pairlist", (tag, car, cdr), attrs)
        if kind == ALTREP_SXP:
            return self.altrep()
        if kind == CHARSXP:
            return RObject("char", self.string())
        if kind in (SPECIALSXP, BUILTINSXP):
            return RObject("builtin", self.take(self.int()).decode())
        if kind in (LGLSXP, INTSXP):
            n = self.length()
            values = list(struct.unpack(f">{n}i", self.take(4 * n)))
            return RObject("integer" if kind == INTSXP else "logical", values,
                           self.attributes(has_attr))
        if kind == REALSXP:
            n = self.length()
            values = list(struct.unpack(f">{n}d", self.take(8 * n)))
            return RObject("double", values, self.attributes(has_attr))
        if kind == CPLXSXP:
            n = self.length()
            values = list(struct.unpack(f">{2 * n}d", self.take(16 * n)))
            return RObject("complex", values, self.attributes(has_attr))
        if kind == STRSXP:
            n = self.length()
            values = []
            for _ in range(n):
                self.int()  # the CHARSXP's own flags
                values.append(self.string())
            return RObject("character", values, self.attributes(has_attr))
        if kind in (VECSXP, EXPRSXP):
            n = self.length()
            values = [self.item() for _ in range(n)]
            return RObject("list", values, self.attributes(has_attr))
        if kind == RAWSXP:
            n = self.length()
            return RObject("raw", self.take(n), self.attributes(has_attr))
        if kind == S4SXP:
            return RObject("S4", None, self.attributes(has_attr))
        raise ValueError(f"R type {kind} is not supported by this reader")

    def altrep(self):
        """A compact ALTREP vector (R >= 3.5), expanded to a plain one."""
        info = self.item()
        state = self.item()
        attrs = pairlist_dict(self.item())
        class_name = pairlist_values(info)[0].value
        if class_name == "compact_intseq":
            n, start, step = state.value
            values = [int(start + i * step) for i in range(int(n))]
            return RObject("integer", values, attrs)
        if class_name == "compact_realseq":
            n, start, step = state.value
            return RObject("double", [start + i * step for i in range(int(n))], attrs)
        if class_name.startswith("wrap_"):
            inner = state.value[0]
            inner.attrs = {**inner.attrs, **attrs}
            return inner
        if class_name == "deferred_string":
            # The state is the numbers to be shown as text; keep them as text.
            numbers = pairlist_values(state)[0]
            return RObject("character", [str(v) for v in numbers.value], attrs)
        raise ValueError(f"ALTREP class {class_name} is not supported by this reader")


def pairlist_values(obj):
    """The elements of a pairlist, in order."""
    out = []
    while isinstance(obj, RObject) and obj.kind == "pairlist":
        _, car, obj = obj.value
        out.append(car)
    return out


def pairlist_dict(obj):
    """A tagged pairlist (an attribute list) as a dict."""
    out = {}
    while isinstance(obj, RObject) and obj.kind == "pairlist":
        tag, car, obj = obj.value
        if isinstance(tag, RObject):
            out[tag.value] = car
    return out


def unserialize(data):
    """One R object from its serialized bytes."""
    reader = Reader(data)
    reader.header()
    return reader.item()


def decompress_chunk(chunk):
    """One lazy-load chunk: 4-byte length, then per R's compression type."""
    size = struct.unpack(">I", chunk[:4])[0]
    kind = chunk[4:5]
    body = chunk[5:]
    if kind == b"Z":  # xz: a raw LZMA2 stream, as R writes it
        filters = [{"id": lzma.FILTER_LZMA2, "preset": 9 | lzma.PRESET_EXTREME}]
        out = lzma.LZMADecompressor(format=lzma.FORMAT_RAW, filters=filters).decompress(body)
    elif kind == b"2":
        import bz2

        out = bz2.decompress(body)
    elif kind == b"1":
        out = zlib.decompress(body)
    elif kind == b"0":
        out = body
    else:  # the oldest format: zlib straight after the length
        out = zlib.decompress(chunk[4:])
    return out[:size]


def load_lazy_data(directory):
    """Every object of a package's `data/Rdata.rdb`, by name, read on demand."""
    index = unserialize(gzip.decompress(open(f"{directory}/Rdata.rdx", "rb").read()))
    entries = {}
    names = index.attr("names").value
    variables = index.value[names.index("variables")]
    var_names = variables.attr("names").value
    blob = open(f"{directory}/Rdata.rdb", "rb").read()
    for name, where in zip(var_names, variables.value):
        offset, length = (int(v) for v in where.value)
        entries[name] = (blob, offset, length)

    def get(name):
        blob, offset, length = entries[name]
        return unserialize(decompress_chunk(blob[offset : offset + length]))

    return sorted(entries), get
