export { LearnedCapacity, defaultAimdPolicy } from "./learned-capacity.js";
export {
  fitBucket,
  theilSenRate,
  standardWindowsMs,
  type BucketFit,
  type BucketShape,
} from "./bucket-fit.js";
export { answerReadings, type AnswerReadings, type BucketPoint, type DimensionReading } from "./readings.js";
export { ShareDetector, type ShareSample } from "./share-detector.js";
export type {
  CapacityCost,
  CapacityDimensionView,
  CapacityObservation,
  CapacityOutcome,
  CapacityTake,
  CapacityView,
  LearnedCapacityOptions,
} from "./types.js";
