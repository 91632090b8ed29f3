// Registers the cdktf jest matchers (toHaveResourceWithProperties, ...) for every test file.
import { Testing } from 'cdktf';

Testing.setupJest();
