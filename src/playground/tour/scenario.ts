/** What a scenario of the tour is given, what it reports, and how it names an error. */
import { GatehouseError } from '../../client/index.ts';
import type { Playground } from '../serve.ts';
import type { recorder, Transcript } from './recorder.ts';

export interface Scenario {
  title: string;
  exchanges: Transcript[];
  /** What the client (or server) did, and why. */
  story: string[];
  holds: boolean;
}

export type Step = (ctx: {
  playground: Playground;
  log: Transcript[];
  story: string[];
  transport: ReturnType<typeof recorder>;
}) => Promise<boolean>;

/** One scenario: its title, and the step that walks it and says whether it behaved as documented. */
export interface ScenarioScript {
  title: string;
  step: Step;
}

export const errorName = (error: unknown) =>
  error instanceof GatehouseError ? `${error.name} (${error.code})` : String(error);
