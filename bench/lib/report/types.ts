/** The shape of bench/results.json: every benchmark's figures and the goals judged from them. */
import type { GrowthResult } from '../../growth';
import type { MiniappSizeResult } from '../../miniapp-size';
import type { NotifyIngestResult } from '../../notify-ingest';
import type { OrdersHttpResult } from '../../orders-http';
import type { SigningResult } from '../../signing';
import type { BffTraits } from '../bff-traits';

export interface Goal {
  id: string;
  title: string;
  measured: string;
  target: string;
  value: number;
  pass: boolean;
}

export interface BenchResults {
  quick: boolean;
  /** The write path of the BFF under test, read from its source. */
  bff: BffTraits;
  startedAt: string;
  durationS: number;
  machine: {
    cores: number;
    cpuModel: string;
    memoryBytes: number;
    freeMemoryBytes: number;
    node: string;
    platform: string;
    wrk: string;
    loadAverageAtStart: number[];
    loadAverageAtEnd: number[];
  };
  signing: SigningResult;
  orders: OrdersHttpResult;
  notify: NotifyIngestResult;
  growth: GrowthResult;
  miniapp: MiniappSizeResult;
  goals: Goal[];
}
