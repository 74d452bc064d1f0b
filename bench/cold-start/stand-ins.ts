/**
 * The only door from the cold-start bench into local/: if these modules move, fix the paths here.
 * s3rver + dynalite on loopback, and the Rekognition and Vision fakes.
 */
export { type StandIns, startStandIns } from '../../local/stand-ins.js';
export { type FakeProvider, startFakeRekognition, startFakeVision } from '../../local/fakes/providers.js';
