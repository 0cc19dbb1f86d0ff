/// `DW_FORM_*` codes: how an attribute's value is encoded (DWARF 5, section 7.5.6).
enum DWARFForm {
    static let addr: UInt64 = 0x01
    static let block2: UInt64 = 0x03
    static let block4: UInt64 = 0x04
    static let data2: UInt64 = 0x05
    static let data4: UInt64 = 0x06
    static let data8: UInt64 = 0x07
    static let string: UInt64 = 0x08
    static let block: UInt64 = 0x09
    static let block1: UInt64 = 0x0A
    static let data1: UInt64 = 0x0B
    static let flag: UInt64 = 0x0C
    static let sdata: UInt64 = 0x0D
    static let strp: UInt64 = 0x0E
    static let udata: UInt64 = 0x0F
    static let refAddr: UInt64 = 0x10
    static let ref1: UInt64 = 0x11
    static let ref2: UInt64 = 0x12
    static let ref4: UInt64 = 0x13
    static let ref8: UInt64 = 0x14
    static let refUdata: UInt64 = 0x15
    static let indirect: UInt64 = 0x16
    static let secOffset: UInt64 = 0x17
    static let exprloc: UInt64 = 0x18
    static let flagPresent: UInt64 = 0x19
    static let strx: UInt64 = 0x1A
    static let addrx: UInt64 = 0x1B
    static let refSup4: UInt64 = 0x1C
    static let strpSup: UInt64 = 0x1D
    static let data16: UInt64 = 0x1E
    static let lineStrp: UInt64 = 0x1F
    static let refSig8: UInt64 = 0x20
    static let implicitConst: UInt64 = 0x21
    static let loclistx: UInt64 = 0x22
    static let rnglistx: UInt64 = 0x23
    static let refSup8: UInt64 = 0x24
    static let strx1: UInt64 = 0x25
    static let strx2: UInt64 = 0x26
    static let strx3: UInt64 = 0x27
    static let strx4: UInt64 = 0x28
    static let addrx1: UInt64 = 0x29
    static let addrx2: UInt64 = 0x2A
    static let addrx3: UInt64 = 0x2B
    static let addrx4: UInt64 = 0x2C
    /// GNU extensions used by split DWARF 4 (`-gsplit-dwarf`) and `dwz`.
    static let gnuAddrIndex: UInt64 = 0x1F01
    static let gnuStrIndex: UInt64 = 0x1F02
    static let gnuRefAlt: UInt64 = 0x1F20
    static let gnuStrpAlt: UInt64 = 0x1F21
}

/// The few `DW_AT_*` attribute codes the compile-unit reader looks at.
enum DWARFAttribute {
    static let name: UInt64 = 0x03
    static let lowPC: UInt64 = 0x11
    static let highPC: UInt64 = 0x12
    static let compDir: UInt64 = 0x1B
    static let ranges: UInt64 = 0x55
    static let strOffsetsBase: UInt64 = 0x72
    static let addrBase: UInt64 = 0x73
    static let rnglistsBase: UInt64 = 0x74
    static let gnuAddrBase: UInt64 = 0x2133
}

/// `DW_TAG_*` codes of the DIEs that can head a unit.
enum DWARFTag {
    static let compileUnit: UInt64 = 0x11
    static let partialUnit: UInt64 = 0x3C
    static let typeUnit: UInt64 = 0x41
    static let skeletonUnit: UInt64 = 0x4A
}

/// `DW_UT_*`: the kind of unit a DWARF 5 unit header announces.
enum DWARFUnitType {
    static let compile: UInt8 = 0x01
    static let type: UInt8 = 0x02
    static let partial: UInt8 = 0x03
    static let skeleton: UInt8 = 0x04
    static let splitCompile: UInt8 = 0x05
    static let splitType: UInt8 = 0x06
}

/// `DW_RLE_*`: entry kinds of a DWARF 5 range list in `.debug_rnglists`.
enum DWARFRangeListEntry {
    static let endOfList: UInt8 = 0x00
    static let baseAddressx: UInt8 = 0x01
    static let startxEndx: UInt8 = 0x02
    static let startxLength: UInt8 = 0x03
    static let offsetPair: UInt8 = 0x04
    static let baseAddress: UInt8 = 0x05
    static let startEnd: UInt8 = 0x06
    static let startLength: UInt8 = 0x07
}
