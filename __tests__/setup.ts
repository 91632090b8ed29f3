// Registers the cdktf jest matchers (toHaveResourceWithProperties, ...) for every test file.
import { Testing } from 'cdktf';
import { removeStagingDirs } from '../constructs/core/staging-dir';
import { trackTestingOutdirs } from './helpers/testing-outdirs';

Testing.setupJest();

// The temp folders Testing.app()/fullSynth() make for this test file go when it ends.
const outdirs = trackTestingOutdirs();
afterAll(() => outdirs.cleanup());

// Staging folders of synthesized code assets and image contexts: their exit hook never runs in a
// jest worker, so they go when the test file ends.
afterAll(() => removeStagingDirs());
