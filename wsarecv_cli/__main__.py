from wsarecv_cli.cli.main import main

main()
