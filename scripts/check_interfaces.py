#!/usr/bin/env python3
"""Checks the ROS 2 packaging files with ROS 2's own tools, without a ROS installation.

- every msg/*.msg and srv/*.srv: parsed by rosidl_adapter (Debian's python3-rosidl), converted to
  .idl and parsed again by rosidl_parser, the two steps `rosidl_generate_interfaces` runs in
  `colcon build`; references to this package's own types must name an existing message;
- launch/*.launch.py: byte-compiled; launch/*.launch.xml and package.xml: well-formed XML.

Usage: check_interfaces.py [PACKAGE_DIR]  (default: the folder above this script). Reports every
error, then exits non-zero when there was one.
"""
import pathlib
import py_compile
import sys
import tempfile
import xml.etree.ElementTree as ET

try:
    from rosidl_adapter.msg import convert_msg_to_idl
    from rosidl_adapter.parser import parse_message_file, parse_service_file
    from rosidl_adapter.srv import convert_srv_to_idl
    from rosidl_parser.definition import IdlLocator
    from rosidl_parser.parser import parse_idl_file
except ImportError as err:  # pragma: no cover - environment problem, not a finding
    sys.exit(f'check_interfaces: {err}: install python3-rosidl and python3-empy (apt-get install -y python3-rosidl python3-empy)')


def package_name(package_dir):
    root = ET.parse(package_dir / 'package.xml').getroot()
    return root.findtext('name').strip()


def own_type_errors(pkg, spec, own_messages, where):
    """Fields typed with this package's messages must name one that exists."""
    errors = []
    for field in spec.fields:
        base = field.type
        if base.is_primitive_type() or base.pkg_name != pkg:
            continue
        if base.type not in own_messages:
            errors.append(f'{where}: field "{field.name}" has type {pkg}/{base.type}, but msg/{base.type}.msg does not exist')
    return errors


def check_interfaces(package_dir, pkg):
    errors = []
    msg_files = sorted((package_dir / 'msg').glob('*.msg'))
    srv_files = sorted((package_dir / 'srv').glob('*.srv')) if (package_dir / 'srv').is_dir() else []
    own_messages = {f.stem for f in msg_files}
    with tempfile.TemporaryDirectory() as tmp:
        out = pathlib.Path(tmp)
        for path in msg_files + srv_files:
            rel = path.relative_to(package_dir)
            before = len(errors)
            try:
                if path.suffix == '.msg':
                    spec = parse_message_file(pkg, str(path))
                    errors += own_type_errors(pkg, spec, own_messages, rel)
                    convert = convert_msg_to_idl
                else:
                    srv = parse_service_file(pkg, str(path))
                    for part in (srv.request, srv.response):
                        errors += own_type_errors(pkg, part, own_messages, rel)
                    convert = convert_srv_to_idl
                idl = convert(package_dir, pkg, rel, out)  # logs its input and output file
                parse_idl_file(IdlLocator(out, idl.name))
                if len(errors) == before:
                    print(f'ok  {rel}')
            except Exception as err:  # the parsers raise many kinds; each is a finding
                errors.append(f'{rel}: {type(err).__name__}: {err}')
    if not msg_files:
        errors.append('msg/ holds no .msg file')
    return errors


def check_launch_and_xml(package_dir):
    errors = []
    for path in sorted((package_dir / 'launch').glob('*.launch.py')):
        try:
            py_compile.compile(str(path), cfile=str(pathlib.Path(tempfile.gettempdir()) / 'seqvpr-launch-check.pyc'), doraise=True)
            print(f'ok  {path.relative_to(package_dir)}')
        except py_compile.PyCompileError as err:
            errors.append(f'{path.relative_to(package_dir)}: {err.msg}')
    for path in [package_dir / 'package.xml', *sorted((package_dir / 'launch').glob('*.launch.xml'))]:
        try:
            ET.parse(path)
            print(f'ok  {path.relative_to(package_dir)}')
        except ET.ParseError as err:
            errors.append(f'{path.relative_to(package_dir)}: not well-formed XML: {err}')
    return errors


def main(argv):
    package_dir = pathlib.Path(argv[1] if len(argv) > 1 else pathlib.Path(__file__).resolve().parent.parent).resolve()
    errors = check_launch_and_xml(package_dir) + check_interfaces(package_dir, package_name(package_dir))
    for error in errors:
        print(f'ERROR {error}', file=sys.stderr)
    return 1 if errors else 0


if __name__ == '__main__':
    sys.exit(main(sys.argv))
