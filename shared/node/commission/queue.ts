import { randomUUID } from 'node:crypto';
import type { Static } from '@sinclair/typebox';
import type { CommissionJob, CommissionRun, CommissionTarget } from '../../core/api/areas/commission';
import { FieldgraphError } from '../../core/errors';
import type { CommissionedDevice, CommissionProfile, DeviceAssignment, StepReporter } from './profile';
import { commissionSerialDevice, type SerialCommissionOptions } from './serial-device';
import { commissionShelly, type ShellyOptions } from './shelly';

/** A run as plain JSON (no secrets). */
export type CommissionRunState = Static<typeof CommissionRun>;
/** One device of a run as plain JSON (no secrets). */
export type CommissionJobState = Static<typeof CommissionJob>;
/** Where a device is reached. */
export type CommissionTargetSpec = Static<typeof CommissionTarget>;

/** One device to commission; `devicePassword` (Shelly login) stays in memory only. */
export interface CommissionJobSpec {
  readonly target: CommissionTargetSpec;
  readonly assignment: DeviceAssignment;
  readonly devicePassword?: string;
}

/** Run metadata for the report. */
export interface CommissionRunMeta {
  readonly siteId?: string;
  readonly siteName?: string;
  readonly installer?: string;
}

/** Carries out one device; the queue supplies step reporting and cancellation. */
export type DeviceCommissioner = (
  spec: CommissionJobSpec,
  profile: CommissionProfile,
  context: { readonly onStep: StepReporter; readonly signal: AbortSignal },
) => Promise<CommissionedDevice>;

/** What the queue needs; everything has a default. */
export interface CommissionQueueOptions {
  /** Called on every job change, with the run's status at that moment. */
  readonly onProgress?: (run: CommissionRunState, job: CommissionJobState) => void;
  readonly commissioner?: DeviceCommissioner;
  readonly now?: () => Date;
  /** Timing passed to serial commissioning (tests shorten it). */
  readonly serial?: Omit<SerialCommissionOptions, 'onStep' | 'signal'>;
  readonly shelly?: Omit<ShellyOptions, 'onStep' | 'signal' | 'password'>;
  /** How many devices run at once; serial ports are independent, so the default is high. */
  readonly concurrency?: number;
}

/** The default commissioner: serial (Improv, then Tasmota) or Shelly RPC by target kind. */
export const defaultCommissioner =
  (
    serial: CommissionQueueOptions['serial'] = {},
    shelly: CommissionQueueOptions['shelly'] = {},
  ): DeviceCommissioner =>
  (spec, profile, { onStep, signal }) =>
    spec.target.kind === 'serial'
      ? commissionSerialDevice(spec.target.port, profile, spec.assignment, {
          ...serial,
          ...(spec.target.baudRate ? { baudRate: spec.target.baudRate } : {}),
          ...(spec.target.protocol ? { protocol: spec.target.protocol } : {}),
          onStep,
          signal,
        })
      : commissionShelly(spec.target.url, profile, spec.assignment, {
          ...shelly,
          ...(spec.devicePassword ? { password: spec.devicePassword } : {}),
          onStep,
          signal,
        });

interface JobSlot {
  state: CommissionJobState;
  readonly spec: CommissionJobSpec;
  controller?: AbortController;
  done?: Promise<void>;
}

interface RunSlot {
  state: CommissionRunState;
  profile: CommissionProfile;
  readonly jobs: JobSlot[];
}

const publicError = (error: unknown): { code: string; message: string } =>
  error instanceof FieldgraphError
    ? { code: error.code, message: error.message }
    : { code: 'internal', message: `Unexpected failure: ${(error as Error)?.message ?? String(error)}` };

/**
 * Commissioning runs: every device of a run at once (bounded by `concurrency`), per-device
 * steps, cancel of one device or the whole run, retry of a failed one. A device is
 * `provisioned` only when its commissioner returned; anything else is `failed` or `cancelled`
 * with a code and a message a person can act on. Secrets stay inside the run, never in state.
 */
export class CommissionQueue {
  private readonly runs = new Map<string, RunSlot>();
  private readonly commissioner: DeviceCommissioner;
  private readonly now: () => Date;
  private active = 0;
  private readonly waiting: (() => void)[] = [];

  constructor(private readonly options: CommissionQueueOptions = {}) {
    this.commissioner = options.commissioner ?? defaultCommissioner(options.serial, options.shelly);
    this.now = options.now ?? (() => new Date());
  }

  /** Starts a run; returns its first state at once. */
  start(
    profile: CommissionProfile,
    specs: readonly CommissionJobSpec[],
    meta: CommissionRunMeta = {},
  ): CommissionRunState {
    const id = randomUUID();
    const jobs: JobSlot[] = specs.map((spec, i) => ({
      spec,
      state: {
        id: `${i + 1}`,
        target: spec.target,
        ...(spec.assignment.name ? { name: spec.assignment.name } : {}),
        ...(spec.assignment.room ? { room: spec.assignment.room } : {}),
        ...(spec.assignment.topic ? { topic: spec.assignment.topic } : {}),
        status: 'queued',
        steps: [],
        attempts: 0,
      },
    }));
    const run: RunSlot = {
      profile,
      jobs,
      state: {
        id,
        ...(meta.siteId ? { siteId: meta.siteId } : {}),
        ...(meta.siteName ? { siteName: meta.siteName } : {}),
        ...(meta.installer ? { installer: meta.installer } : {}),
        startedAt: this.now().toISOString(),
        status: 'running',
        jobs: jobs.map((j) => j.state),
      },
    };
    this.runs.set(id, run);
    for (const job of jobs) this.launch(run, job);
    return this.snapshot(run);
  }

  /** The run's current state; throws `commission.run_not_found`. */
  get(runId: string): CommissionRunState {
    return this.snapshot(this.slot(runId));
  }

  /** Every run of this session, newest first. */
  list(): CommissionRunState[] {
    return [...this.runs.values()].reverse().map((r) => this.snapshot(r));
  }

  /** Resolves when every device of the run has finished. */
  async wait(runId: string): Promise<CommissionRunState> {
    const run = this.slot(runId);
    for (;;) {
      const pending = run.jobs.map((j) => j.done).filter(Boolean);
      await Promise.all(pending);
      if (run.jobs.every((j) => j.state.status !== 'queued' && j.state.status !== 'running'))
        return this.snapshot(run);
    }
  }

  /** Cancels one device or every unfinished device; resolves once their ports are released. */
  async cancel(runId: string, jobId?: string): Promise<CommissionRunState> {
    const run = this.slot(runId);
    const targets = jobId ? [this.job(run, jobId)] : run.jobs;
    for (const job of targets) job.controller?.abort();
    await Promise.all(targets.map((j) => j.done));
    return this.snapshot(run);
  }

  /**
   * Runs a failed or cancelled device again; with `wifi`, the run's Wi-Fi settings change for
   * this and later attempts (the person typed the password again after a rejection).
   */
  retry(runId: string, jobId: string, wifi?: CommissionProfile['wifi']): CommissionRunState {
    const run = this.slot(runId);
    const job = this.job(run, jobId);
    if (job.state.status === 'running' || job.state.status === 'queued')
      throw new FieldgraphError(
        'commission.device_error',
        `Device ${jobId} is still running; cancel it first.`,
      );
    if (job.state.status === 'provisioned')
      throw new FieldgraphError('commission.device_error', `Device ${jobId} is already provisioned.`);
    if (wifi) run.profile = { ...run.profile, wifi };
    run.state = { ...run.state, status: 'running' };
    delete run.state.finishedAt;
    this.launch(run, job);
    return this.snapshot(run);
  }

  /** Forgets a finished run (its in-memory secrets go with it). */
  forget(runId: string): void {
    const run = this.slot(runId);
    if (run.state.status === 'running')
      throw new FieldgraphError('commission.device_error', 'The run is still going; cancel it first.');
    this.runs.delete(runId);
  }

  private launch(run: RunSlot, job: JobSlot): void {
    const controller = new AbortController();
    job.controller = controller;
    this.update(run, job, {
      status: 'queued',
      steps: [],
      attempts: job.state.attempts + 1,
      startedAt: undefined,
      finishedAt: undefined,
      durationMs: undefined,
      device: undefined,
      error: undefined,
      step: undefined,
    });
    job.done = (async () => {
      await this.acquire();
      const started = this.now();
      try {
        if (controller.signal.aborted)
          throw new FieldgraphError('commission.cancelled', 'Commissioning was cancelled.');
        this.update(run, job, { status: 'running', startedAt: started.toISOString() });
        const onStep: StepReporter = (name, detail) => {
          if (controller.signal.aborted) return;
          this.update(run, job, {
            step: name,
            steps: [
              ...job.state.steps,
              { name, ...(detail ? { detail } : {}), at: this.now().toISOString() },
            ],
          });
        };
        const device = await this.commissioner(job.spec, run.profile, { onStep, signal: controller.signal });
        if (controller.signal.aborted)
          throw new FieldgraphError('commission.cancelled', 'Commissioning was cancelled.');
        const finished = this.now();
        this.update(run, job, {
          status: 'provisioned',
          device: {
            ...device,
            ...(job.spec.assignment.name && !device.name ? { name: job.spec.assignment.name } : {}),
          },
          finishedAt: finished.toISOString(),
          durationMs: finished.getTime() - started.getTime(),
        });
      } catch (error) {
        const finished = this.now();
        const cancelled = controller.signal.aborted;
        this.update(run, job, {
          status: cancelled ? 'cancelled' : 'failed',
          error: cancelled
            ? { code: 'commission.cancelled', message: 'Commissioning was cancelled.' }
            : publicError(error),
          finishedAt: finished.toISOString(),
          durationMs: finished.getTime() - started.getTime(),
        });
      } finally {
        this.release();
      }
    })();
  }

  private update(run: RunSlot, job: JobSlot, patch: Partial<CommissionJobState>): void {
    const next = { ...job.state, ...patch } as CommissionJobState;
    for (const key of Object.keys(next) as (keyof CommissionJobState)[])
      if (next[key] === undefined) delete next[key];
    job.state = next;
    const finished = run.jobs.every((j) => j.state.status !== 'queued' && j.state.status !== 'running');
    run.state = {
      ...run.state,
      jobs: run.jobs.map((j) => j.state),
      status: finished ? 'finished' : 'running',
      ...(finished ? { finishedAt: this.now().toISOString() } : {}),
    };
    if (!finished) delete run.state.finishedAt;
    this.options.onProgress?.(this.snapshot(run), job.state);
  }

  private async acquire(): Promise<void> {
    const limit = this.options.concurrency ?? 64;
    if (this.active < limit) {
      this.active++;
      return;
    }
    await new Promise<void>((resolve) => this.waiting.push(resolve));
    this.active++;
  }

  private release(): void {
    this.active--;
    this.waiting.shift()?.();
  }

  private slot(runId: string): RunSlot {
    const run = this.runs.get(runId);
    if (!run)
      throw new FieldgraphError('commission.run_not_found', `No commissioning run ${runId} in this session.`);
    return run;
  }

  private job(run: RunSlot, jobId: string): JobSlot {
    const job = run.jobs.find((j) => j.state.id === jobId);
    if (!job)
      throw new FieldgraphError('commission.run_not_found', `Run ${run.state.id} has no device ${jobId}.`);
    return job;
  }

  private snapshot(run: RunSlot): CommissionRunState {
    return structuredClone(run.state);
  }
}
