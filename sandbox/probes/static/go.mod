module platform-probe

go 1.26
