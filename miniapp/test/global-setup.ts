import { buildMiniapp } from '../scripts/build';

/** Builds miniapp/dist before any test runs, exactly as `pnpm build` does (a type error fails the run). */
export default async function setup(): Promise<void> {
  await buildMiniapp({ log: () => {} });
}
