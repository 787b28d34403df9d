/**
 * A Boltzmann generator (Noé, Olsson, Köhler, Wu, Science 365, eaaw1147,
 * 2019): a Gaussian prior N(0, T·I) in latent space pushed through a flow,
 * x = f(z), so that ln q(x) = ln N(z; 0, T) − ln|det ∂f/∂z|. T is the latent
 * temperature (T < 1 concentrates samples on the high-probability region).
 */
import * as tf from "@tensorflow/tfjs";
import { ensureBackend } from "../core/backend";
import { resolveRng, type RandomOptions } from "../core/random";
import { checkInteger, checkKeys, checkPositive } from "../core/validate";
import type { Flow } from "../flows/types";
import { checkFlowInput } from "../flows/types";
import type { GenerativeModel, Sample } from "../models/types";

export interface BoltzmannGeneratorOptions {
  /** The flow x = f(z). */
  flow: Flow;
  /** Latent temperature T of the prior N(0, T·I) (default 1). */
  temperature?: number;
}

export interface SampleOptions extends RandomOptions {
  /** Latent temperature for this draw (default: the generator's). */
  temperature?: number;
}

/** A sample with its latent points. */
export interface LatentSample extends Sample {
  /** The latent points z with x = f(z), [batch, dim]. */
  z: tf.Tensor2D;
}

/** ln N(z; 0, T·I) per row. */
export function gaussianLogDensity(z: tf.Tensor2D, temperature: number): tf.Tensor1D {
  return tf.tidy(() => {
    const d = z.shape[1];
    return tf.add(tf.mul(tf.sum(tf.square(z), 1), -0.5 / temperature), -0.5 * d * Math.log(2 * Math.PI * temperature)) as tf.Tensor1D;
  });
}

export class BoltzmannGenerator implements GenerativeModel {
  readonly flow: Flow;
  readonly size: number;
  /** Latent temperature of the prior. */
  temperature: number;

  constructor(options: BoltzmannGeneratorOptions) {
    const where = "boltzmannGenerator";
    checkKeys(options, ["flow", "temperature"], where);
    const flow = options?.flow;
    if (flow === undefined || typeof flow.forward !== "function" || typeof flow.inverse !== "function") {
      throw new Error(`${where}: flow must be a Flow (with forward and inverse)`);
    }
    this.flow = flow;
    this.size = flow.dim;
    this.temperature = options.temperature === undefined ? 1 : checkPositive(options.temperature, "temperature", where);
  }

  get trainableVariables(): tf.Variable[] {
    return this.flow.trainableVariables;
  }

  /** Latent noise z ~ N(0, T·I), drawn from the seeded generator. */
  sampleLatent(batch: number, options: SampleOptions = {}): tf.Tensor2D {
    const where = "BoltzmannGenerator.sampleLatent";
    checkKeys(options, ["seed", "rng", "temperature"], where);
    checkInteger(batch, "batch", where, { min: 1 });
    ensureBackend();
    const T = options.temperature === undefined ? this.temperature : checkPositive(options.temperature, "temperature", where);
    const rng = resolveRng(options, where);
    const noise = new Float32Array(batch * this.size);
    rng.fillNormal(noise);
    if (T !== 1) {
      const s = Math.sqrt(T);
      for (let k = 0; k < noise.length; k++) noise[k] *= s;
    }
    return tf.tensor2d(noise, [batch, this.size]);
  }

  /**
   * Draw x = f(z), z ~ N(0, T·I), with ln q(x) at that temperature. Differentiable
   * w.r.t. the flow's variables (reparameterisation), as training by energy needs.
   */
  sample(batch: number, options: SampleOptions = {}): LatentSample {
    const where = "BoltzmannGenerator.sample";
    checkKeys(options, ["seed", "rng", "temperature"], where);
    checkInteger(batch, "batch", where, { min: 1 });
    const T = options.temperature === undefined ? this.temperature : checkPositive(options.temperature, "temperature", where);
    const z = this.sampleLatent(batch, { ...options, temperature: T });
    return tf.tidy(() => {
      const { x, logDet } = this.flow.forward(z);
      const logProb = tf.sub(gaussianLogDensity(z, T), logDet) as tf.Tensor1D;
      return { x, logProb, z };
    });
  }

  /** ln q(x) through the inverse: ln N(f⁻¹(x); 0, T) + ln|det ∂f⁻¹/∂x|. */
  logProb(x: tf.Tensor2D, options: { temperature?: number } = {}): tf.Tensor1D {
    const where = "BoltzmannGenerator.logProb";
    checkKeys(options, ["temperature"], where);
    checkFlowInput(x, this.size, "x", where);
    const T = options.temperature === undefined ? this.temperature : checkPositive(options.temperature, "temperature", where);
    return tf.tidy(() => {
      const { z, logDet } = this.flow.inverse(x);
      return tf.add(gaussianLogDensity(z, T), logDet) as tf.Tensor1D;
    });
  }

  /** Latent points z = f⁻¹(x) (for latent-space pictures). */
  encode(x: tf.Tensor2D): tf.Tensor2D {
    checkFlowInput(x, this.size, "x", "BoltzmannGenerator.encode");
    return tf.tidy(() => {
      const { z } = this.flow.inverse(x);
      return z;
    });
  }

  /** Configurations x = f(z). */
  decode(z: tf.Tensor2D): tf.Tensor2D {
    checkFlowInput(z, this.size, "z", "BoltzmannGenerator.decode");
    return tf.tidy(() => this.flow.forward(z).x);
  }

  dispose(): void {
    this.flow.dispose();
  }
}

/** A Boltzmann generator: prior N(0, T·I) plus flow. */
export function boltzmannGenerator(options: BoltzmannGeneratorOptions): BoltzmannGenerator {
  return new BoltzmannGenerator(options);
}
