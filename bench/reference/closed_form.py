"""Straightforward numpy evaluation of the closed-form learning dynamics (MATH.md §4).

The reference the TypeScript benchmark (bench/numpy-reference.ts) compares against. It
evaluates, for each time point s = t/τ,

    P(t) = O · E Ψ M(t)⁻¹ Ψᵀ E · Oᵀ,   M(t) = I + Ψᵀ Φ Ψ,
    E = diag(e^{γ_i s}),   Φ = diag((e^{2γ_i s} − 1)/(2γ_i))   (s where γ_i = 0),

with F = O Γ Oᵀ from numpy.linalg.eigh (once per configuration) and Ψ = Oᵀ Q(0): numpy
matmuls and numpy.linalg.solve, the full (Ni+No)×(Ni+No) matrix at every time. The loss
½‖Σyx − W2W1‖²_F and the mode strengths diag(Ũᵀ W2W1 Ṽ) are then read off that P, which is
all the straightforward approach can do. The naive formula overflows once γ_max·s exceeds a
few hundred; the benchmark keeps γ_max·s ≈ 10.

Usage: python3 closed_form.py INPUT.json  → JSON on stdout.

INPUT: {"cases": [{"name", "ni", "nh", "no", "lambda", "sigma_yx" (No×Ni), "q0" (N×Nh,
rows [W1ᵀ; W2]), "u" (No×No), "v" (Ni×Ni), "times", "check" (indices), "repeats"}]}
OUTPUT: {"numpy": version, "threads": {...}, "cases": [{"name", "setup_s",
"full_s_per_point", "summaries_s_per_point", "samples_full", "samples_summaries",
"loss", "strengths" (per check index), "p_check" (base64 float64 row-major, per check
index)}]}
Timings are medians over `repeats` passes over the whole grid, divided by its length.
"""

import base64
import json
import os
import sys
import time

import numpy as np


def riccati_f(sigma_yx, lam):
    no, ni = sigma_yx.shape
    f = np.zeros((ni + no, ni + no))
    f[:ni, :ni] = -lam / 2 * np.eye(ni)
    f[ni:, ni:] = lam / 2 * np.eye(no)
    f[ni:, :ni] = sigma_yx
    f[:ni, ni:] = sigma_yx.T
    return f


def prepare(case):
    sigma_yx = np.array(case["sigma_yx"], dtype=float)
    q0 = np.array(case["q0"], dtype=float)
    gamma, o = np.linalg.eigh(riccati_f(sigma_yx, case["lambda"]))
    psi = o.T @ q0
    return sigma_yx, gamma, o, psi


def p_at(s, gamma, o, psi):
    e = np.exp(gamma * s)
    zero = gamma == 0
    phi = np.where(zero, s, np.expm1(2 * gamma * s) / (2 * np.where(zero, 1.0, gamma)))
    m = np.eye(psi.shape[1]) + psi.T @ (phi[:, None] * psi)
    y = e[:, None] * psi
    p_tilde = y @ np.linalg.solve(m, y.T)
    return o @ p_tilde @ o.T


def summaries_of(p, sigma_yx, u, v):
    no, ni = sigma_yx.shape
    w = p[ni:, :ni]
    r = sigma_yx - w
    loss = 0.5 * np.sum(r * r)
    strengths = np.sum(u[:, : min(ni, no)] * (w @ v[:, : min(ni, no)]), axis=0)
    return loss, strengths


def run_case(case):
    t0 = time.perf_counter()
    sigma_yx, gamma, o, psi = prepare(case)
    setup = time.perf_counter() - t0
    u = np.array(case["u"], dtype=float)
    v = np.array(case["v"], dtype=float)
    times = np.array(case["times"], dtype=float)
    tau = case.get("tau", 1.0)
    repeats = max(1, int(case.get("repeats", 3)))

    def full_pass():
        for t in times:
            p_at(t / tau, gamma, o, psi)

    def summaries_pass():
        for t in times:
            summaries_of(p_at(t / tau, gamma, o, psi), sigma_yx, u, v)

    samples = {}
    for name, fn in (("full", full_pass), ("summaries", summaries_pass)):
        fn()  # warm-up pass
        runs = []
        for _ in range(repeats):
            t0 = time.perf_counter()
            fn()
            runs.append((time.perf_counter() - t0) / len(times))
        samples[name] = runs

    checks = {"loss": [], "strengths": [], "p_check": []}
    for k in case["check"]:
        p = p_at(times[k] / tau, gamma, o, psi)
        loss, strengths = summaries_of(p, sigma_yx, u, v)
        checks["loss"].append(float(loss))
        checks["strengths"].append([float(x) for x in strengths])
        checks["p_check"].append(base64.b64encode(np.ascontiguousarray(p, dtype="<f8").tobytes()).decode("ascii"))

    return {
        "name": case["name"],
        "setup_s": setup,
        "full_s_per_point": float(np.median(samples["full"])),
        "summaries_s_per_point": float(np.median(samples["summaries"])),
        "samples_full": samples["full"],
        "samples_summaries": samples["summaries"],
        **checks,
    }


def main():
    with open(sys.argv[1], encoding="utf-8") as fh:
        spec = json.load(fh)
    threads = {k: os.environ.get(k) for k in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS")}
    out = {"numpy": np.__version__, "threads": threads, "cases": [run_case(c) for c in spec["cases"]]}
    json.dump(out, sys.stdout)


if __name__ == "__main__":
    main()
