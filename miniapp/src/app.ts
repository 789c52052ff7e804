import type { AppGlobal } from './platform/types';

// Nothing to do at launch: pages load what they need. `globalData` holds what pages share (the session).
App({
  globalData: {} as AppGlobal,
});
