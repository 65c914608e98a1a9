//! Power operations and their effects.

use super::*;

// ------------------------------------------------------------ power operations

/// Power states: running after create; `powerOff` → stopped (still allocated);
/// `deallocate` → deallocated; `start` → running; `restart` only when running.
#[test]
fn power_operations_follow_the_state_machine() {
    let mut vm = create("Standard_B1s", vec![r("a", None)]);
    assert_eq!(vm.power, PowerState::Running);
    assert_eq!(power_op(&vm, "restart").unwrap(), PowerState::Running);
    assert_eq!(power_op(&vm, "powerOff").unwrap(), PowerState::Stopped);
    assert_eq!(
        power_op(&vm, "deallocate").unwrap(),
        PowerState::Deallocated
    );

    vm.power = PowerState::Stopped;
    let e = power_op(&vm, "restart").unwrap_err();
    assert_eq!(e.code(), "OperationNotAllowed");
    assert_eq!(e.class(), ErrorClass::Conflict);
    assert_eq!(
        e.to_string(),
        "Operation 'restart' is not allowed on VM 'vm1' since the VM is stopped."
    );
    assert_eq!(power_op(&vm, "start").unwrap(), PowerState::Running);
    assert_eq!(
        power_op(&vm, "deallocate").unwrap(),
        PowerState::Deallocated
    );

    vm.power = PowerState::Deallocated;
    let e = power_op(&vm, "powerOff").unwrap_err();
    assert_eq!(e.code(), "OperationNotAllowed");
    assert_eq!(e.class(), ErrorClass::Conflict);
    assert_eq!(
        e.to_string(),
        "Operation 'powerOff' is not allowed on VM 'vm1' since the VM is deallocated."
    );
    assert_eq!(
        power_op(&vm, "restart").unwrap_err().code(),
        "OperationNotAllowed"
    );
    assert_eq!(power_op(&vm, "start").unwrap(), PowerState::Running);

    let e = power_op(&vm, "reimage").unwrap_err();
    assert_eq!(e.class(), ErrorClass::NotImplemented);

    assert_eq!(PowerState::Running.status(), ("running", "VM running"));
    assert_eq!(PowerState::Stopped.status(), ("stopped", "VM stopped"));
    assert_eq!(
        PowerState::Deallocated.status(),
        ("deallocated", "VM deallocated")
    );
}
