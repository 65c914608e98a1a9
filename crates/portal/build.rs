// Rebuild when anything under assets/ changes, files added or removed included (rust-embed
// tracks only the files it embedded last time).
fn main() {
    println!("cargo:rerun-if-changed=assets");
}
