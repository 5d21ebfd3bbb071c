export { GdbStub, type StubOptions, type PollResult, type SessionEnd } from './stub';
export {
  PacketReader, INTERRUPT, OVERLONG_PACKET, checksum, framePacket, escapeBinary, decodeBody, decodedLength, runLengthEncode,
  toHex, fromHex, textToHex, hexToText, type ReaderEvent,
} from './packet';
export {
  GdbError, SIGINT, SIGTRAP, SIGABRT,
  type GdbTarget, type GdbStop, type GdbJob, type RegisterInfo, type ResumeKind, type StopReasonField,
} from './target';
export { TimelineTarget, PC_REGNUM, CSR_REGNUM_BASE, PRIV_REGNUM, type TimelineTargetOptions } from './timelineTarget';
export { targetXml } from './targetXml';
export { runMonitorCommand } from './monitor';
