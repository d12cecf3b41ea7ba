/**
 * The phases of one "Show Results Table", in the order a person waits for them. Each is stamped the
 * first time it happens; the trace goes to the log and to the bench, which is how we learned where
 * the seconds went (the download and the webview's start-up, not sorting).
 */
export const OPEN_PHASES = [
  'command',
  'promptAnswered',
  'panelCreated',
  'requestSent',
  'firstByte',
  'webviewScriptStarted',
  'ready',
  'firstDataPosted',
  'firstRowsPainted',
  'downloadDone',
  'completePosted',
  'completePainted',
] as const;

export type OpenPhase = (typeof OPEN_PHASES)[number];

/** Milliseconds since the trace started, per phase reached. */
export type OpenTiming = Partial<Record<OpenPhase, number>>;

export class OpenTrace {
  private readonly started: number;
  private readonly times: OpenTiming = {};

  constructor(private readonly now: () => number = () => performance.now()) {
    this.started = now();
    this.times.command = 0;
  }

  /** Stamps `phase` now, or `ago` ms before now; a phase already stamped keeps its first time. */
  mark(phase: OpenPhase, ago = 0): void {
    if (this.times[phase] !== undefined) return;
    this.times[phase] = Math.max(0, this.now() - ago - this.started);
  }

  has(phase: OpenPhase): boolean {
    return this.times[phase] !== undefined;
  }

  /** A copy of the phases reached so far. */
  timing(): OpenTiming {
    return { ...this.times };
  }

  /** One line for the log: `command 0 · promptAnswered 812 · …` in phase order, reached phases only. */
  describe(): string {
    return describeTiming(this.times);
  }
}

/** The phases reached, in phase order, with whole milliseconds. */
export function describeTiming(timing: OpenTiming): string {
  return OPEN_PHASES.filter((phase) => timing[phase] !== undefined)
    .map((phase) => `${phase} ${Math.round(timing[phase] as number)}`)
    .join(' · ');
}
