// Registers the cdktf jest matchers (toHaveResourceWithProperties, ...) for every test file.
import { Testing } from 'cdktf';
import { trackTestingOutdirs } from './helpers/testing-outdirs';

Testing.setupJest();

// The temp folders Testing.app()/fullSynth() make for this test file go when it ends.
const outdirs = trackTestingOutdirs();
afterAll(() => outdirs.cleanup());
