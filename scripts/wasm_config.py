"""Reads wasm-pack.toml, the one place the wasm build is configured, and picks the toolchain.

Used by scripts/build-wasm, scripts/wasm-cargo and scripts/setup. As a command:
    python3 scripts/wasm_config.py toolchain        -> "rustup" or "debian-web"
    python3 scripts/wasm_config.py bindgen-version  -> the wasm-bindgen version in Cargo.lock
    python3 scripts/wasm_config.py check            -> exit 1 when Cargo.toml's copy for wasm-pack
                                                       ([package.metadata.wasm-pack]) differs
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import tomllib
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
CONFIG_FILE = ROOT / "wasm-pack.toml"
WASM_TARGET = "wasm32-unknown-unknown"
# The Debian compiler registered with rustup by scripts/setup (see README, "Setup").
DEBIAN_TOOLCHAIN = "debian-web"
DEBIAN_ENV = {
    "RUSTUP_TOOLCHAIN": DEBIAN_TOOLCHAIN,
    "RUSTC_BOOTSTRAP": "1",
    "CARGO_UNSTABLE_BUILD_STD": "std,panic_abort",
}

BUILD_KEYS = {"target", "out-dir", "out-name", "profile", "typescript", "build-std"}
PROFILE_KEYS = {"wasm-opt"}
BINDGEN_TARGETS = {"web", "bundler", "nodejs", "no-modules", "deno", "experimental-nodejs-module"}


class ConfigError(Exception):
    pass


@dataclass(frozen=True)
class Config:
    target: str
    out_dir: Path
    out_name: str
    profile: str
    typescript: bool
    build_std: str
    wasm_opt: tuple[str, ...] | None  # None: skip wasm-opt

    def cargo_profile_args(self) -> list[str]:
        return ["--release"] if self.profile == "release" else ["--profile", self.profile]

    def profile_dir(self) -> str:
        # cargo puts the dev profile in "debug" and every other profile in a folder of its name.
        return {"dev": "debug", "test": "debug", "bench": "release"}.get(self.profile, self.profile)


def _expect(table: dict, name: str, allowed: set[str]) -> None:
    unknown = sorted(set(table) - allowed)
    if unknown:
        raise ConfigError(f"{CONFIG_FILE.name}: unknown key(s) in [{name}]: {', '.join(unknown)}")


def load(path: Path = CONFIG_FILE, profile: str | None = None) -> Config:
    """The settings; `profile` overrides build.profile (e.g. "dev" for a quick unoptimised build)."""
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except (OSError, tomllib.TOMLDecodeError) as err:
        raise ConfigError(f"{path.name}: {err}") from err
    _expect(data, "top level", {"build", "profile"})
    build = data.get("build", {})
    _expect(build, "build", BUILD_KEYS)

    target = build.get("target", "web")
    if target not in BINDGEN_TARGETS:
        raise ConfigError(f"{path.name}: build.target must be one of {sorted(BINDGEN_TARGETS)}")
    build_std = build.get("build-std", "auto")
    if build_std not in ("auto", "always", "never"):
        raise ConfigError(f'{path.name}: build.build-std must be "auto", "always" or "never"')
    out_dir = Path(build.get("out-dir", "www/pkg"))
    if out_dir.is_absolute() or ".." in out_dir.parts or out_dir == Path("."):
        raise ConfigError(f"{path.name}: build.out-dir must be a folder inside the repository")
    profile = profile or build.get("profile", "release")

    profiles = data.get("profile", {})
    if profile not in profiles:
        raise ConfigError(f"{path.name}: profile {profile!r} has no [profile.{profile}] table")
    for name, table in profiles.items():
        _expect(table, f"profile.{name}", PROFILE_KEYS)
    passes = profiles[profile].get("wasm-opt", False)
    if passes is False or passes == []:
        wasm_opt = None
    elif isinstance(passes, list) and all(isinstance(p, str) for p in passes):
        wasm_opt = tuple(passes)
    else:
        raise ConfigError(f"{path.name}: profile.{profile}.wasm-opt must be a list of flags or false")

    return Config(
        target=target,
        out_dir=ROOT / out_dir,
        out_name=str(build.get("out-name", "dipcalc")),
        profile=profile,
        typescript=bool(build.get("typescript", True)),
        build_std=build_std,
        wasm_opt=wasm_opt,
    )


def rustup_has_wasm_target() -> bool:
    """True when the active rustup toolchain has a prebuilt std for wasm32-unknown-unknown."""
    if shutil.which("rustup") is None:
        return False
    env = {k: v for k, v in os.environ.items() if k != "RUSTUP_TOOLCHAIN"}
    try:
        out = subprocess.run(
            ["rustup", "target", "list", "--installed"],
            env=env, capture_output=True, text=True, check=True,
        ).stdout
    except (OSError, subprocess.CalledProcessError):
        return False
    return WASM_TARGET in out.split()


def toolchain(cfg: Config) -> str:
    """"rustup" (prebuilt wasm std) or "debian-web" (Debian's rustc-web + build-std)."""
    if cfg.build_std == "always":
        return DEBIAN_TOOLCHAIN
    if rustup_has_wasm_target():
        return "rustup"
    if cfg.build_std == "never":
        raise ConfigError(
            f"wasm-pack.toml says build-std = \"never\", but rustup has no {WASM_TARGET} target "
            f"(rustup target add {WASM_TARGET}, or set build-std = \"auto\")"
        )
    return DEBIAN_TOOLCHAIN


def wasm_env(cfg: Config) -> dict[str, str]:
    """The environment for cargo commands that target wasm32 (never for native ones)."""
    env = dict(os.environ)
    if toolchain(cfg) == DEBIAN_TOOLCHAIN:
        env.update(DEBIAN_ENV)
    else:
        env.pop("CARGO_UNSTABLE_BUILD_STD", None)
    return env


def bindgen_version(lock: Path = ROOT / "Cargo.lock") -> str:
    """The wasm-bindgen version locked in Cargo.lock; the CLI must match it exactly."""
    data = tomllib.loads(lock.read_text(encoding="utf-8"))
    versions = {p["version"] for p in data.get("package", []) if p.get("name") == "wasm-bindgen"}
    if len(versions) != 1:
        raise ConfigError(f"Cargo.lock: expected one wasm-bindgen version, found {sorted(versions) or 'none'}")
    return versions.pop()


def wasm_pack_mismatches(cargo_toml: Path = ROOT / "Cargo.toml") -> list[str]:
    """Where Cargo.toml's [package.metadata.wasm-pack] (the only settings wasm-pack reads) says
    something other than wasm-pack.toml: each profile's wasm-opt flags, and the crate name that
    wasm-pack uses as the output's file stem."""
    cargo = tomllib.loads(cargo_toml.read_text(encoding="utf-8"))
    package = cargo.get("package", {})
    ours = tomllib.loads(CONFIG_FILE.read_text(encoding="utf-8"))
    theirs = package.get("metadata", {}).get("wasm-pack", {}).get("profile", {})
    problems = []
    for name, table in ours.get("profile", {}).items():
        want = table.get("wasm-opt", False)
        got = theirs.get(name, {}).get("wasm-opt")
        if got != want:
            problems.append(
                f"[profile.{name}] wasm-opt is {want!r} in {CONFIG_FILE.name} but {got!r} in "
                f"Cargo.toml [package.metadata.wasm-pack.profile.{name}]"
            )
    for name in sorted(set(theirs) - set(ours.get("profile", {}))):
        problems.append(f"Cargo.toml sets wasm-pack profile {name!r}, which {CONFIG_FILE.name} does not have")
    out_name = ours.get("build", {}).get("out-name", "dipcalc")
    if package.get("name") != out_name:
        problems.append(f"build.out-name {out_name!r} is not the crate name {package.get('name')!r} wasm-pack uses")
    return problems


def main(argv: list[str]) -> int:
    try:
        if argv == ["toolchain"]:
            print(toolchain(load()))
        elif argv == ["bindgen-version"]:
            print(bindgen_version())
        elif argv == ["check"]:
            load()
            problems = wasm_pack_mismatches()
            for problem in problems:
                print(f"error: {problem}", file=sys.stderr)
            if problems:
                return 1
            print(f"{CONFIG_FILE.name} and Cargo.toml's [package.metadata.wasm-pack] agree")
        else:
            print(__doc__.strip(), file=sys.stderr)
            return 2
    except ConfigError as err:
        print(f"error: {err}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
