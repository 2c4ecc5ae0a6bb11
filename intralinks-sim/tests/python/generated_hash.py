"""Independent implementation of the simulator's document generator.

Prints the fileHashDownload (base64 of the SHA-1) of a generated document:

    python3 generated_hash.py SEED LENGTH

It mirrors intralinks_sim::content::fill: 64 KiB blocks; a fixed 64 KiB
pattern of splitmix64 words (state 0x1D2A11E5); block k is the pattern
rotated by header % 65536, where header = splitmix64(seed ^ (k * 0xA0761D6478BD642F)),
and its first 8 bytes are the header (little endian). Used by the tests to
check demo::BIG_DOCUMENT_HASH without hashing 1 GiB in an unoptimised build.
"""

import base64
import hashlib
import struct
import sys

MASK = (1 << 64) - 1
BLOCK = 65536


def splitmix64(z):
    z = (z + 0x9E3779B97F4A7C15) & MASK
    z = ((z ^ (z >> 30)) * 0xBF58476D1CE4E5B9) & MASK
    z = ((z ^ (z >> 27)) * 0x94D049BB133111EB) & MASK
    return z ^ (z >> 31)


def pattern():
    state = 0x1D2A11E5
    words = bytearray()
    while len(words) < BLOCK:
        state = splitmix64(state)
        words += struct.pack("<Q", state)
    return bytes(words + words[:BLOCK])


def generated_hash(seed, length):
    doubled = pattern()
    hasher = hashlib.sha1()
    pos = 0
    while pos < length:
        block = pos // BLOCK
        header = splitmix64(seed ^ ((block * 0xA0761D6478BD642F) & MASK))
        rotation = header % BLOCK
        take = min(BLOCK, length - pos)
        data = bytearray(doubled[rotation:rotation + take])
        head = struct.pack("<Q", header)
        n = min(8, take)
        data[:n] = head[:n]
        hasher.update(data)
        pos += take
    return base64.b64encode(hasher.digest()).decode("ascii")


if __name__ == "__main__":
    print(generated_hash(int(sys.argv[1], 0), int(sys.argv[2])))
