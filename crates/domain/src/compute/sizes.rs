//! The VM size catalogue: real names, vCPUs, memory and the maximum number of NICs.

#[derive(Clone, Copy, Debug, PartialEq)]
pub struct VmSize {
    pub name: &'static str,
    pub vcpus: u32,
    pub memory_gb: f64,
    pub max_nics: u32,
    pub family: &'static str,
}

impl VmSize {
    /// Data disks a VM of this size may have: two per vCPU, at least two (Azure's tables are
    /// close to this for the families listed here).
    pub fn max_data_disks(&self) -> u32 {
        (self.vcpus * 2).max(2)
    }
}

const fn s(
    name: &'static str,
    vcpus: u32,
    memory_gb: f64,
    max_nics: u32,
    family: &'static str,
) -> VmSize {
    VmSize {
        name,
        vcpus,
        memory_gb,
        max_nics,
        family,
    }
}

pub const SIZES: &[VmSize] = &[
    s("Standard_B1ls", 1, 0.5, 2, "standardBSFamily"),
    s("Standard_B1s", 1, 1.0, 2, "standardBSFamily"),
    s("Standard_B1ms", 1, 2.0, 2, "standardBSFamily"),
    s("Standard_B2s", 2, 4.0, 3, "standardBSFamily"),
    s("Standard_B2ms", 2, 8.0, 3, "standardBSFamily"),
    s("Standard_B4ms", 4, 16.0, 4, "standardBSFamily"),
    s("Standard_B8ms", 8, 32.0, 4, "standardBSFamily"),
    s("Standard_B12ms", 12, 48.0, 6, "standardBSFamily"),
    s("Standard_B16ms", 16, 64.0, 8, "standardBSFamily"),
    s("Standard_B20ms", 20, 80.0, 8, "standardBSFamily"),
    s("Standard_A1_v2", 1, 2.0, 2, "standardAv2Family"),
    s("Standard_A2_v2", 2, 4.0, 2, "standardAv2Family"),
    s("Standard_A4_v2", 4, 8.0, 4, "standardAv2Family"),
    s("Standard_A8_v2", 8, 16.0, 8, "standardAv2Family"),
    s("Standard_DS1_v2", 1, 3.5, 2, "standardDSv2Family"),
    s("Standard_DS2_v2", 2, 7.0, 2, "standardDSv2Family"),
    s("Standard_DS3_v2", 4, 14.0, 4, "standardDSv2Family"),
    s("Standard_DS4_v2", 8, 28.0, 8, "standardDSv2Family"),
    s("Standard_DS5_v2", 16, 56.0, 8, "standardDSv2Family"),
    s("Standard_D1_v2", 1, 3.5, 2, "standardDv2Family"),
    s("Standard_D2_v2", 2, 7.0, 2, "standardDv2Family"),
    s("Standard_D3_v2", 4, 14.0, 4, "standardDv2Family"),
    s("Standard_D4_v2", 8, 28.0, 8, "standardDv2Family"),
    s("Standard_D5_v2", 16, 56.0, 8, "standardDv2Family"),
    s("Standard_D2s_v3", 2, 8.0, 2, "standardDSv3Family"),
    s("Standard_D4s_v3", 4, 16.0, 2, "standardDSv3Family"),
    s("Standard_D8s_v3", 8, 32.0, 4, "standardDSv3Family"),
    s("Standard_D16s_v3", 16, 64.0, 8, "standardDSv3Family"),
    s("Standard_D32s_v3", 32, 128.0, 8, "standardDSv3Family"),
    s("Standard_D48s_v3", 48, 192.0, 8, "standardDSv3Family"),
    s("Standard_D64s_v3", 64, 256.0, 8, "standardDSv3Family"),
    s("Standard_D2_v3", 2, 8.0, 2, "standardDv3Family"),
    s("Standard_D4_v3", 4, 16.0, 2, "standardDv3Family"),
    s("Standard_D8_v3", 8, 32.0, 4, "standardDv3Family"),
    s("Standard_D16_v3", 16, 64.0, 8, "standardDv3Family"),
    s("Standard_D32_v3", 32, 128.0, 8, "standardDv3Family"),
    s("Standard_D48_v3", 48, 192.0, 8, "standardDv3Family"),
    s("Standard_D64_v3", 64, 256.0, 8, "standardDv3Family"),
    s("Standard_D2_v4", 2, 8.0, 2, "standardDv4Family"),
    s("Standard_D4_v4", 4, 16.0, 2, "standardDv4Family"),
    s("Standard_D8_v4", 8, 32.0, 4, "standardDv4Family"),
    s("Standard_D16_v4", 16, 64.0, 8, "standardDv4Family"),
    s("Standard_D32_v4", 32, 128.0, 8, "standardDv4Family"),
    s("Standard_D48_v4", 48, 192.0, 8, "standardDv4Family"),
    s("Standard_D64_v4", 64, 256.0, 8, "standardDv4Family"),
    s("Standard_D2s_v4", 2, 8.0, 2, "standardDSv4Family"),
    s("Standard_D4s_v4", 4, 16.0, 2, "standardDSv4Family"),
    s("Standard_D8s_v4", 8, 32.0, 4, "standardDSv4Family"),
    s("Standard_D16s_v4", 16, 64.0, 8, "standardDSv4Family"),
    s("Standard_D32s_v4", 32, 128.0, 8, "standardDSv4Family"),
    s("Standard_D48s_v4", 48, 192.0, 8, "standardDSv4Family"),
    s("Standard_D64s_v4", 64, 256.0, 8, "standardDSv4Family"),
    s("Standard_D2s_v5", 2, 8.0, 2, "standardDSv5Family"),
    s("Standard_D4s_v5", 4, 16.0, 2, "standardDSv5Family"),
    s("Standard_D8s_v5", 8, 32.0, 4, "standardDSv5Family"),
    s("Standard_D16s_v5", 16, 64.0, 8, "standardDSv5Family"),
    s("Standard_D32s_v5", 32, 128.0, 8, "standardDSv5Family"),
    s("Standard_D48s_v5", 48, 192.0, 8, "standardDSv5Family"),
    s("Standard_D64s_v5", 64, 256.0, 8, "standardDSv5Family"),
    s("Standard_D96s_v5", 96, 384.0, 8, "standardDSv5Family"),
    s("Standard_E2s_v3", 2, 16.0, 2, "standardESv3Family"),
    s("Standard_E4s_v3", 4, 32.0, 2, "standardESv3Family"),
    s("Standard_E8s_v3", 8, 64.0, 4, "standardESv3Family"),
    s("Standard_E16s_v3", 16, 128.0, 8, "standardESv3Family"),
    s("Standard_E32s_v3", 32, 256.0, 8, "standardESv3Family"),
    s("Standard_E64s_v3", 64, 432.0, 8, "standardESv3Family"),
    s("Standard_F2s_v2", 2, 4.0, 2, "standardFSv2Family"),
    s("Standard_F4s_v2", 4, 8.0, 2, "standardFSv2Family"),
    s("Standard_F8s_v2", 8, 16.0, 4, "standardFSv2Family"),
    s("Standard_F16s_v2", 16, 32.0, 4, "standardFSv2Family"),
    s("Standard_F32s_v2", 32, 64.0, 8, "standardFSv2Family"),
    s("Standard_F64s_v2", 64, 128.0, 8, "standardFSv2Family"),
    s("Standard_A0", 1, 0.75, 2, "standardA0_A7Family"),
    s("Standard_A1", 1, 1.75, 2, "standardA0_A7Family"),
    s("Standard_A2", 2, 3.5, 2, "standardA0_A7Family"),
];

/// Looks a size up by name, in any case.
pub fn find(name: &str) -> Option<&'static VmSize> {
    SIZES.iter().find(|s| s.name.eq_ignore_ascii_case(name))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn catalogue_has_real_sizes_with_nic_limits() {
        assert!(SIZES.len() > 60);
        assert_eq!(find("standard_ds3_v2").unwrap().max_nics, 4);
        assert_eq!(find("Standard_B1s").unwrap().max_nics, 2);
        assert_eq!(find("Standard_D96s_v5").unwrap().vcpus, 96);
        // "All VM sizes support at least two network interfaces"
        assert!(SIZES.iter().all(|s| s.max_nics >= 2));
        assert!(find("Standard_Nope").is_none());
    }
}
